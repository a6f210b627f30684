"""The demo company, North Bank: one sign-in per role and a mentoring history built through
the services, so every rule and permission holds (`manage.py seed_demo`; `make run` loads it).
Nothing in the product imports it: it sits on top of every app."""
