"""``python -m roi_kit``: the ``roi-kit`` command line."""

from roi_kit.cli import main

if __name__ == "__main__":
    main()
