"""`python -m services.indexer worker -l info` runs this stage's Faust worker."""

from services.indexer.app import app

if __name__ == "__main__":
    app.main()
