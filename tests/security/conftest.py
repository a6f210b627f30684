"""The security tests run against the suite's one world (tests/builders/world.py, the `world`
fixture of tests/fixtures/world.py): built once per module, every test in a savepoint."""

import os
import tempfile
from pathlib import Path

from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps caches (constants, unicode tables) in ./.hypothesis even without its
# example database; these tests leave the working tree as they found it.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "hypothesis-tests-security")
