"""`python -m services.dedup worker -l info` runs this stage's Faust worker."""

from services.dedup.app import app

if __name__ == "__main__":
    app.main()
