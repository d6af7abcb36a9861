"""``python -m lstm_params``: the ``lstm-params`` command line."""

from lstm_params._cli import main

raise SystemExit(main())
