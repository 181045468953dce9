"""S3Config for AWS and for each S3-compatible service.

Every value is checked when the config is created; a bad one raises
ConfigurationError naming the field. Secrets come from the environment here: never
write them into code.
"""

import os
from datetime import timedelta

from litestar_storages import RetryConfig, S3Config


def aws_with_the_credential_chain() -> S3Config:
    # No keys: botocore's chain finds them (environment, ~/.aws files, SSO, container
    # or instance role). The region also falls back to AWS_REGION / the profile.
    return S3Config(bucket="my-uploads", region="eu-west-1")


def aws_with_a_profile() -> S3Config:
    return S3Config(bucket="my-uploads", profile_name="uploader")


def cloudflare_r2(account_id: str) -> S3Config:
    return S3Config(
        bucket="my-uploads",
        endpoint_url=f"https://{account_id}.r2.cloudflarestorage.com",
        region="auto",
        access_key_id=os.environ["R2_ACCESS_KEY_ID"],
        secret_access_key=os.environ["R2_SECRET_ACCESS_KEY"],
    )


def minio(endpoint: str = "http://localhost:9000") -> S3Config:
    return S3Config(
        bucket="my-uploads",
        endpoint_url=endpoint,
        region="us-east-1",
        addressing_style="path",  # MinIO serves buckets as paths
        access_key_id=os.environ["MINIO_ROOT_USER"],
        secret_access_key=os.environ["MINIO_ROOT_PASSWORD"],
    )


def backblaze_b2(region: str = "us-west-004") -> S3Config:
    return S3Config(
        bucket="my-uploads",
        endpoint_url=f"https://s3.{region}.backblazeb2.com",
        region=region,
        access_key_id=os.environ["B2_KEY_ID"],
        secret_access_key=os.environ["B2_APPLICATION_KEY"],
    )


def digitalocean_spaces(region: str = "fra1") -> S3Config:
    return S3Config(
        bucket="my-uploads",
        endpoint_url=f"https://{region}.digitaloceanspaces.com",
        region=region,
        access_key_id=os.environ["SPACES_KEY"],
        secret_access_key=os.environ["SPACES_SECRET"],
    )


def tenant_folder_behind_a_cdn() -> S3Config:
    return S3Config(
        bucket="media",
        region="eu-west-1",
        prefix="tenants/acme",  # every key lives under tenants/acme/
        public_base_url="https://cdn.example.com",  # url() returns plain CDN URLs
        presigned_expiry=timedelta(minutes=15),  # upload URLs and forms
        part_size=16 * 1024 * 1024,
        max_concurrency=8,
        retry=RetryConfig(max_attempts=5, base_delay=0.2),
    )
