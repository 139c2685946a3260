"""Extension objects, created unbound and initialised in create_app."""

from typing import TYPE_CHECKING, Any, ClassVar, cast

from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import CursorResult, MetaData, Result, Table
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every model is mapped to a Table (what bulk insert and update statements take).
    __table__: ClassVar[Table]


db = SQLAlchemy(model_class=Base)

# Models derive from Model. At run time it is Model, which Flask-SQLAlchemy builds from Base
# (adding its table-name and bind mixins); a type checker cannot see that class, so to it Model is
# Base, whose typed Mapped columns are what it checks.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def rows_matched(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched. Session.execute returns a CursorResult for
    them, but is typed to return the general Result, which has no rowcount."""
    return cast(CursorResult[Any], result).rowcount


migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
