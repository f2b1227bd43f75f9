"""``python -m roi_kit`` and the ``roi-kit`` command: the command line (:mod:`roi_kit.cli`)."""

from roi_kit._io import gc_paused


def main() -> None:
    """Import the command line with the collector paused (its imports are most of a short
    command's time), then run it."""
    with gc_paused():
        from roi_kit.cli import main as run
    run()


if __name__ == "__main__":
    main()
