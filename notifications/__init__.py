"""Messages: the due-message table, its delivery (e-mail and the in-app inbox), what a person
turns off, their calendar address. Every app registers its kinds of message here from its own
messages.py; this app imports none of them, nor the directory."""
