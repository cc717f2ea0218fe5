# gunicorn reads this file from the working directory (the Procfile's `web` runs from the root).
# The access log never records the token of an agent's emailed link (/r/<token>/).
logger_class = "pajr.gunicorn_logging.RedactingLogger"
