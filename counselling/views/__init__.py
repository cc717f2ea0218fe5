"""The counsellors' pages, one module per part of the dashboard."""
