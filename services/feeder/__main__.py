"""`python -m services.feeder worker -l info` runs this stage's Faust worker."""

from services.feeder.app import app

if __name__ == "__main__":
    app.main()
