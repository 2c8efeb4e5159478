"""`python -m services.entities worker -l info` runs this stage's Faust worker."""

from services.entities.app import app

if __name__ == "__main__":
    app.main()
