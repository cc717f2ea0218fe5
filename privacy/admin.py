from . import files_admin  # noqa: F401  (registers the officer's admin of people's files)
