"""A local S3-compatible endpoint for tests: moto's server mode on a free loopback port.

It speaks the S3 protocol over real HTTP, so django-storages, boto3 and plain ``urllib``
reach it exactly as they would reach Yandex Object Storage or MinIO. Import the fixture
into the test module that needs it, then ask for ``s3_server``::

    from tests.production.s3_server import s3_server_fixture  # noqa: F401
"""

import json
import logging
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

# moto accepts any credentials; fixed ones keep the developer's own AWS setup out of tests.
ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Endpoint:
    """A running endpoint and the empty bucket created on it."""

    url: str
    bucket: str
    region: str = REGION
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY

    def client(self):
        """A boto3 S3 client for this endpoint, to look at the bucket from outside."""
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=self.region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )

    def keys(self, prefix: str = "") -> list[str]:
        """Keys of the objects in the bucket under ``prefix``."""
        listing = self.client().list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return [item["Key"] for item in listing.get("Contents", [])]


def public_read_policy(bucket: str) -> str:
    """The bucket policy media need: anyone may read objects (images are public content)."""
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


# Named apart from the fixture, so that a test's ``s3_server`` argument shadows no import.
@pytest.fixture(scope="module", name="s3_server")
def s3_server_fixture():
    """Start moto's S3 server on 127.0.0.1 with a publicly readable bucket; yield an
    ``S3Endpoint``."""
    # Werkzeug would log every request of the tests.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = S3Endpoint(url=f"http://{host}:{port}", bucket="mosprom-media")
        client = endpoint.client()
        client.create_bucket(Bucket=endpoint.bucket)
        # As in production, where the CDN and browsers fetch media without credentials.
        client.put_bucket_policy(Bucket=endpoint.bucket, Policy=public_read_policy(endpoint.bucket))
        yield endpoint
    finally:
        server.stop()
