"""The demo company: North Bank, a bank-like reporting tree with named demo sign-ins.

Built through the HRIS import service, so demo data obeys every rule real data does.
Deterministic: the same --employees gives the same company every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

DEMO_DOMAIN = "northbank.example"
DEMO_PASSWORD = "mentoring-demo"  # noqa: S105 - documented in the README, demo data only

FIRST_NAMES = [
    "Amara",
    "Aisha",
    "Alejandro",
    "Amelia",
    "Anders",
    "Ana",
    "Ben",
    "Beatriz",
    "Carlos",
    "Chen",
    "Chloe",
    "Daniel",
    "Dmitri",
    "Elena",
    "Emeka",
    "Emily",
    "Fatima",
    "Felix",
    "Grace",
    "Hannah",
    "Hiro",
    "Ines",
    "Ivan",
    "Jamal",
    "James",
    "Jia",
    "Joao",
    "Julia",
    "Kai",
    "Kamala",
    "Karin",
    "Kofi",
    "Lars",
    "Laura",
    "Leila",
    "Liam",
    "Lucia",
    "Mei",
    "Marco",
    "Maria",
    "Mateo",
    "Maya",
    "Mohammed",
    "Nadia",
    "Naomi",
    "Nikhil",
    "Noah",
    "Olga",
    "Oliver",
    "Omar",
    "Paulo",
    "Priya",
    "Rafael",
    "Rosa",
    "Ruth",
    "Samir",
    "Sara",
    "Sebastian",
    "Sofia",
    "Tariq",
    "Tomas",
    "Uma",
    "Victor",
    "Wei",
    "Yara",
    "Yusuf",
    "Zainab",
    "Zoe",
]
LAST_NAMES = [
    "Abara",
    "Andersen",
    "Bauer",
    "Becker",
    "Costa",
    "Da",
    "Silva",
    "Dubois",
    "Eriksson",
    "Fernandes",
    "Fischer",
    "Garcia",
    "Gupta",
    "Haddad",
    "Hansen",
    "Hughes",
    "Ibrahim",
    "Ito",
    "Jensen",
    "Kaur",
    "Kowalski",
    "Larsen",
    "Lee",
    "Lopez",
    "Martin",
    "Mensah",
    "Meyer",
    "Moreau",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Olsen",
    "Park",
    "Patel",
    "Pereira",
    "Petrov",
    "Quinn",
    "Rahman",
    "Reyes",
    "Rossi",
    "Sato",
    "Schmidt",
    "Shah",
    "Silva",
    "Singh",
    "Sousa",
    "Tanaka",
    "Thompson",
    "Varga",
    "Wagner",
    "Walsh",
    "Wang",
    "Weber",
    "Williams",
    "Wilson",
    "Yilmaz",
    "Zhang",
]
LOCATIONS = ("London", "Edinburgh", "Frankfurt", "Lisbon", "Warsaw", "Singapore")

# Departments, each led by an executive (level 9) who reports to the President (level 10).
DIVISIONS = (
    ("Retail Banking", "Head of Retail Banking"),
    ("Commercial Banking", "Head of Commercial Banking"),
    ("Wealth Management", "Head of Wealth Management"),
    ("Risk", "Chief Risk Officer"),
    ("Finance", "Chief Financial Officer"),
    ("Operations", "Chief Operating Officer"),
    ("Technology", "Chief Technology Officer"),
    ("People", "Chief People Officer"),
)
STAFF_TITLES = {
    "Retail Banking": ("Personal Banker", "Branch Adviser", "Mortgage Adviser", "Customer Analyst"),
    "Commercial Banking": ("Relationship Manager", "Credit Analyst", "Trade Finance Officer"),
    "Wealth Management": ("Portfolio Analyst", "Private Banker", "Investment Associate"),
    "Risk": ("Risk Analyst", "Compliance Officer", "Model Validator", "Fraud Investigator"),
    "Finance": ("Financial Analyst", "Accountant", "Treasury Analyst", "Tax Specialist"),
    "Operations": ("Operations Analyst", "Payments Specialist", "Process Engineer"),
    "Technology": (
        "Software Engineer",
        "Data Engineer",
        "Security Engineer",
        "Site Reliability Engineer",
    ),
    "People": ("HR Business Partner", "Recruiter", "Learning Specialist", "Reward Analyst"),
}


@dataclass(frozen=True)
class DemoPerson:
    key: str  # the role the sign-in demonstrates; also the local part of the e-mail
    first_name: str
    last_name: str
    title: str
    department: str
    level: int
    role_group: str | None = None

    @property
    def email(self) -> str:
        return f"{self.key}@{DEMO_DOMAIN}"


# One documented sign-in per role. Where they sit in the tree is chosen on purpose:
# the mentor and the mentoree work in different divisions, neither manages the other.
DEMO_PEOPLE = (
    DemoPerson("president", "Margaret", "Ellison", "President", "Executive Office", 10),
    DemoPerson("executive", "Victor", "Adeyemi", "Chief Risk Officer", "Risk", 9),
    DemoPerson("mentor", "Helena", "Marsh", "Director, Credit Risk", "Risk", 7),
    DemoPerson("mentoree", "Samuel", "Okoro", "Engineering Manager", "Technology", 5),
    DemoPerson("employee", "Lina", "Petrova", "Personal Banker", "Retail Banking", 3),
    DemoPerson("coordinator", "Grace", "Whitfield", "Mentoring Program Lead", "People", 6),
    DemoPerson("committee", "Arjun", "Mehta", "Director, Leadership Development", "People", 7),
    DemoPerson("reviewer", "Claire", "Dumont", "Talent Review Partner", "People", 6, "Talent team"),
    DemoPerson("hradmin", "Tom", "Becker", "HR Systems Administrator", "People", 6, "HR admins"),
)


def demo_rows(total: int, *, seed: int = 2026) -> list[dict[str, object]]:
    """HRIS rows for a company of about `total` people (at least the named demo people).

    Shape: President -> 8 division heads -> directors -> managers -> staff, with roughly
    one director per 40 people, one manager per 7 and the rest staff, as in a real bank.
    """
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    used_emails: set[str] = set()
    counter = iter(range(1, 10**7))

    def number() -> str:
        return f"NB{next(counter):06d}"

    def add(first, last, email, title, department, level, manager, location="London"):
        row = {
            "employee_number": number(),
            "first_name": first,
            "last_name": last,
            "email": email,
            "title": title,
            "department": department,
            "level": level,
            "manager_number": manager,
            "location": location,
            "active": "yes",
        }
        rows.append(row)
        used_emails.add(email)
        return row["employee_number"]

    def person(title, department, level, manager):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        base = f"{first}.{last}".lower().replace(" ", "")
        email, n = f"{base}@{DEMO_DOMAIN}", 1
        while email in used_emails:
            n += 1
            email = f"{base}{n}@{DEMO_DOMAIN}"
        return add(first, last, email, title, department, level, manager, rng.choice(LOCATIONS))

    named = {p.key: p for p in DEMO_PEOPLE}

    def add_named(key, manager):
        p = named[key]
        return add(p.first_name, p.last_name, p.email, p.title, p.department, p.level, manager)

    president = add_named("president", "")
    heads: dict[str, str] = {}
    for department, head_title in DIVISIONS:
        if department == "Risk":
            heads[department] = add_named("executive", president)
        else:
            heads[department] = person(head_title, department, 9, president)

    remaining = max(total, len(DEMO_PEOPLE) + 40) - len(rows)
    directors_per_division = max(1, remaining // (40 * len(DIVISIONS)))
    managers_per_director = 5
    directors: dict[str, list[str]] = {d: [] for d, _ in DIVISIONS}
    managers: dict[str, list[str]] = {d: [] for d, _ in DIVISIONS}

    # The named people first, at their places in the tree.
    directors["Risk"].append(add_named("mentor", heads["Risk"]))
    directors["People"].append(add_named("committee", heads["People"]))
    tech_director = person("Director, Engineering", "Technology", 7, heads["Technology"])
    directors["Technology"].append(tech_director)
    managers["Technology"].append(add_named("mentoree", tech_director))
    people_manager = person("Head of Talent and Learning", "People", 6, directors["People"][0])
    managers["People"].append(people_manager)
    for key in ("coordinator", "reviewer", "hradmin"):
        add_named(key, people_manager)
    retail_director = person(
        "Director, Branch Network", "Retail Banking", 7, heads["Retail Banking"]
    )
    directors["Retail Banking"].append(retail_director)
    retail_manager = person("Branch Manager", "Retail Banking", 5, retail_director)
    managers["Retail Banking"].append(retail_manager)
    add_named("employee", retail_manager)

    for department, _ in DIVISIONS:
        while len(directors[department]) < directors_per_division:
            directors[department].append(
                person(f"Director, {department}", department, rng.choice((7, 8)), heads[department])
            )
        for director in directors[department]:
            for _ in range(managers_per_director):
                managers[department].append(
                    person(f"{department} Manager", department, rng.choice((5, 6)), director)
                )

    departments = [d for d, _ in DIVISIONS]
    while len(rows) < total:
        department = departments[len(rows) % len(departments)]
        manager = rng.choice(managers[department])
        title = rng.choice(STAFF_TITLES[department])
        person(title, department, rng.choice((1, 2, 3, 3, 4)), manager)
    return rows


def demo_employee(key: str):
    """The named demo person for a role key ("mentor", "coordinator", ...)."""
    from people.models import Employee

    return Employee.objects.select_related("user").get(email=f"{key}@{DEMO_DOMAIN}")
