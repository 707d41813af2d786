"""Flask extensions, created once here and bound to the app in app.create_app()."""
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints, so later migrations can alter them on SQLite (batch mode) and PostgreSQL.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def plain_rows(statement, params: dict | None = None) -> list:
    """The rows of a select of columns (no entities) read past the ORM's per-row work (~1.6 µs
    a row: 2.6 ms of a township's 1,600 at-risk children), after flushing what the session
    holds, as the ORM's own execute would, so the request's own writes are seen. `params` are
    the values of a statement built once with named parameters (bindparam)."""
    db.session.flush()
    return db.session.connection().execute(statement, params).all()
