"""factory_boy factories for the directory.

Employees come from the HRIS import in real life (`people.services.employee_import_csv`),
which writes whole files at once; these factories make one row at a time for tests, with
the account's username being the lower-case e-mail address exactly as the import sets it.
The import service itself is tested in tests/people/test_import.py.
"""

import factory
from factory.django import DjangoModelFactory, Password

from people.models import Employee, User

DEFAULT_PASSWORD = "correct-horse-battery-staple"

FIRST_NAMES = ["Ada", "Ben", "Chloe", "Dmitri", "Elena", "Felix", "Grace", "Hiro", "Ines", "Jamal"]
LAST_NAMES = ["Abara", "Bauer", "Costa", "Dubois", "Eriksson", "Fischer", "Gupta", "Haddad"]


class UserFactory(DjangoModelFactory):
    """An account that signs in with DEFAULT_PASSWORD; username is the lower-case e-mail."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    first_name = factory.Sequence(lambda n: FIRST_NAMES[n % len(FIRST_NAMES)])
    last_name = factory.Sequence(lambda n: f"{LAST_NAMES[n % len(LAST_NAMES)]}{n}")
    email = factory.LazyAttributeSequence(
        lambda o, n: f"{o.first_name}.{o.last_name}.u{n}@example.test".lower()
    )
    username = factory.LazyAttribute(lambda o: o.email.lower())
    password = Password(DEFAULT_PASSWORD)
    is_active = True


class EmployeeFactory(DjangoModelFactory):
    """A directory entry with its own account sharing the same e-mail address."""

    class Meta:
        model = Employee
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"T{n + 1:05d}")
    first_name = factory.Sequence(lambda n: FIRST_NAMES[n % len(FIRST_NAMES)])
    last_name = factory.Sequence(lambda n: f"{LAST_NAMES[n % len(LAST_NAMES)]}{n}")
    email = factory.LazyAttribute(
        lambda o: f"{o.first_name}.{o.last_name}.{o.number}@example.test".lower()
    )
    title = "Analyst"
    department = "Operations"
    location = "London"
    level = 3
    manager = None
    is_active = True
    user = factory.SubFactory(
        UserFactory,
        email=factory.SelfAttribute("..email"),
        username=factory.LazyAttribute(lambda o: o.email.lower()),
        first_name=factory.SelfAttribute("..first_name"),
        last_name=factory.SelfAttribute("..last_name"),
        is_active=factory.SelfAttribute("..is_active"),
    )
