"""劝返's views, a module each: 家访 (visits), 劝返个案 (cases), 台账 (ledgers), 四查三比对
(reconcile). app.py registers `bp`."""
from blueprints.cases import bp  # noqa: F401
from blueprints.cases.routes import cases, ledgers, reconcile, visits  # noqa: F401
