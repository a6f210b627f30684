"""The commitment text that ships with the app. Programs start from it; coordinators may
publish their own versions."""


def _paragraphs(text: str) -> str:
    """One line per paragraph, so the text reflows on any screen."""
    paragraphs = text.strip().split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs) + "\n"


DEFAULT_COMMITMENT_TEXT = _paragraphs("""\
Our promise to you as a participant in this mentoring program

1. Your job is safe. Taking part in this program, what you say in it, and whether you stay in
   it or leave it, will never be used to judge your performance, your pay, your promotion or
   your place in the company. Mentoring is for your development, never for your assessment.

2. What you discuss stays in your pair. Your mentor does not report on you. Notes you write are
   yours; a note you choose to share is seen only by your mentor or mentoree. No manager,
   talent review, committee or administrator can read them.

3. Your mentor never judges you. A mentor never sits on a talent review, promotion panel or
   assessment meeting about their own mentoree, now or later. Your manager, not your mentor,
   speaks for your work.

4. Only what you agree is shared. Your pair's agreement says, for your manager, senior
   leadership, the program coordinator and the committee, whether they learn nothing, only
   that meetings take place, or themes you consent to share case by case.

5. You can end it without fault. Either of you can end the pairing at any time, for any
   reason, without explanation and without consequence.

By accepting, you confirm that you have read this promise and want to take part on these terms.
""")
