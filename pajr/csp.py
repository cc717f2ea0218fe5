"""The Content Security Policy of every page (settings.SECURE_CSP): scripts only from the site
with the page's nonce, styles only from the site, no frames, no plugins, forms only to the site."""

from django.utils.csp import CSP

CONTENT_SECURITY_POLICY = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],  # Bootstrap draws checkboxes and selects with data: SVGs
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
