"""One module per `dashctl` command: a typed options object in, an exit code out.

    validate  plan  apply  drift  pull  promote  restore  comment  preview
    init  envs  serve  token  schema

Each command raises a `DashctlError` for what stops it; `reconciler.cli.main`
is the one handler that turns it into a clean line and exit 1 (Ctrl-C 130,
anything else "unexpected error" plus a crash log). Results go to stdout and
progress to stderr, both through `console`.
"""
