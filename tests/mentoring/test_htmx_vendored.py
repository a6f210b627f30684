"""htmx is served from static/ (no CDN), pinned: the file is the published one, byte for byte,
and every page loads it with its integrity and configures it by meta, never by inline script."""

import base64
import hashlib
import re

from django.conf import settings
from django.urls import reverse

VENDOR = settings.BASE_DIR / "static" / "vendor" / "htmx"
SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"  # htmx.org 2.0.11


def test_the_vendored_htmx_is_the_published_2_0_11_file_with_its_licence():
    data = (VENDOR / "htmx.min.js").read_bytes()

    assert hashlib.sha256(data).hexdigest() == SHA256
    readme = (VENDOR / "README.md").read_text()
    assert "htmx.org 2.0.11" in readme and SHA256 in readme
    assert "Zero-Clause BSD" in (VENDOR / "LICENSE").read_text()


def test_pages_load_htmx_with_its_integrity_and_configure_it_without_inline_script(client):
    html = client.get(reverse("login")).content.decode()
    sri = base64.b64encode(hashlib.sha384((VENDOR / "htmx.min.js").read_bytes()).digest())

    assert (
        '<script src="/static/vendor/htmx/htmx.min.js" '
        f'integrity="sha384-{sri.decode()}" defer></script>'
    ) in html
    # htmx would otherwise insert a <style> element, which style-src 'self' refuses.
    assert (
        '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false,'
        '"allowEval":false,"allowScriptTags":false}\'>'
    ) in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
