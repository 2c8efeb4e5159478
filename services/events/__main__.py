"""`python -m services.events worker -l info` runs this stage's Faust worker."""

from services.events.app import app

if __name__ == "__main__":
    app.main()
