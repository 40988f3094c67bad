"""python -m dlbook_utils.cli: train, resume and evaluate chapter 2's model (chapter 16).

Commands::

    train    --config CONFIG [--set section.key=value ...] [--stop-after K] [--overwrite]
    resume   --checkpoint RUN_DIR/checkpoint.pt [--stop-after K]
    evaluate --checkpoint CKPT [--config CONFIG] [--set section.key=value ...]

``--stop-after K`` ends a run after epoch K as an interruption would (the checkpoint of
epoch K is on disk), so that ``resume`` can be shown to continue it exactly. Every error in
what the user typed or pointed to prints one line on stderr and exits with status 2.
"""

import argparse
import sys

from .config import InputError, load_config

__all__ = ["main", "build_parser"]

EXIT_USAGE = 2  # what argparse itself uses for bad command lines


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (argparse prints the usage first)."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"error: {message} (see {self.prog} --help)\n")


def build_parser():
    """The command line: three subcommands, each with its own options."""
    parser = _Parser(
        prog="python -m dlbook_utils.cli",
        description="Train chapter 2's Fashion-MNIST MLP from a TOML configuration.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    overrides = dict(action="append", default=[], metavar="SECTION.KEY=VALUE",
                     help="override one configuration value (repeatable)")  # fmt: skip
    stop = dict(type=int, metavar="K", help="stop after epoch K, as if interrupted")

    p = commands.add_parser("train", help="start a new run")
    p.add_argument("--config", required=True, help="a TOML configuration file")
    p.add_argument("--set", dest="overrides", **overrides)
    p.add_argument("--stop-after", **stop)
    p.add_argument("--overwrite", action="store_true", help="replace an existing run")

    p = commands.add_parser("resume", help="continue a run from its checkpoint")
    p.add_argument("--checkpoint", required=True, help="a run's checkpoint.pt")
    p.add_argument("--stop-after", **stop)

    p = commands.add_parser("evaluate", help="test accuracy of a checkpoint")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--config", help="build the model from this file instead")
    p.add_argument("--set", dest="overrides", **overrides)
    return parser


def main(argv=None):
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        # Read the configuration before importing torch: a typo fails in milliseconds.
        path, overrides = getattr(args, "config", None), getattr(args, "overrides", [])
        config = load_config(path, overrides) if path else None
        from . import training  # torch and the data: only once the input is valid

        if args.command == "train":
            training.start_run(config, args.overwrite, args.stop_after)
        elif args.command == "resume":
            training.resume_run(args.checkpoint, args.stop_after)
        else:
            loss, acc = training.evaluate_checkpoint(args.checkpoint, config)
            print(f"test loss {loss:.4f} accuracy {acc:.4f}")
    except InputError as exc:  # a ConfigError or a CheckpointError
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
