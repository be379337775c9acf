"""`python -m applc`.

`-m` puts the current folder first on the module search path, so a hostile checkout
could shadow a module applc imports lazily or register a target plug-in (an
`*.dist-info/entry_points.txt` beside its `applc.toml`). The console script never
searches there; neither does this.
"""

import os
import sys


def _cwd() -> str | None:
    try:
        return os.getcwd()
    except OSError:  # the folder was removed under us
        return None


if not sys.flags.safe_path and sys.path and sys.path[0] in ("", ".", _cwd()):
    del sys.path[0]

from applc.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
