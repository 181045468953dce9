"""Ways to configure GCSStorage: credentials, emulator, prefix, CDN, retries."""

from datetime import timedelta

from litestar_storages import GCSConfig, RetryConfig


def service_account(key_file: str) -> GCSConfig:
    # A service-account key authenticates and signs URLs locally (no request).
    return GCSConfig(bucket="my-uploads", service_file=key_file, presigned_expiry=timedelta(minutes=15))


def application_default_credentials() -> GCSConfig:
    # No service_file: GOOGLE_APPLICATION_CREDENTIALS, then `gcloud auth
    # application-default login`, then the metadata server (Cloud Run, GKE, GCE).
    # Without a key, URLs are signed by the IAM signBlob API as this account, which
    # needs the "Service Account Token Creator" role on itself.
    return GCSConfig(bucket="my-uploads", service_account_email="uploader@my-project.iam.gserviceaccount.com")


def emulator(api_root: str) -> GCSConfig:
    # api_root points at fake-gcs-server: requests carry no credentials.
    return GCSConfig(bucket="test-bucket", api_root=api_root)


def tenant_folder_behind_a_cdn() -> GCSConfig:
    return GCSConfig(
        bucket="my-assets",
        prefix="tenants/acme",  # keys are relative to this folder
        public_base_url="https://cdn.example.com",  # url() returns plain CDN URLs for GET
        chunk_size=16 * 1024 * 1024,  # resumable chunks (multiple of 256 KiB)
        retry=RetryConfig(max_attempts=5, base_delay=0.2),
        timeout=30.0,
    )
