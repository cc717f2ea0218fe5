"""STORAGES["private"] on an S3-compatible bucket: built by the settings from STORAGE_S3_* and by
the tests for their own bucket."""


def private_s3_storage(
    *, bucket: str, endpoint_url: str = "", region: str = "", access_key: str = "", secret_key: str = "",
    prefix: str = "private", addressing_style: str = "",
) -> dict:  # fmt: skip
    """STORAGES["private"] on an S3-compatible bucket (the tests build theirs with this too)."""
    from botocore.config import Config

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "location": prefix,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "default_acl": None,  # no ACL sent: objects stay as private as the bucket
            "querystring_auth": True,  # any URL the backend makes is signed…
            "querystring_expire": 60,  # …and short-lived
            "file_overwrite": False,
            "object_parameters": {"ContentDisposition": "attachment"},
            # Bounded waits, so that a bucket that does not answer fails a request (and /sante/)
            # quickly. A client_config replaces the backend's own: hence the style and signature.
            "client_config": Config(
                s3={"addressing_style": addressing_style or ("path" if endpoint_url else "auto")},
                signature_version="s3v4",
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }
