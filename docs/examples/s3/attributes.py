"""Object attributes and folder listings on S3: run against moto by test_s3_docs_examples.py."""

from litestar_storages import Encryption, ObjectAttributes, S3Storage, StoredFolder


async def main(storage: S3Storage) -> None:
    # Every attribute becomes the standard S3 header; tags become x-amz-tagging.
    report = ObjectAttributes(
        cache_control="private, max-age=600",
        content_disposition='attachment; filename="q3.pdf"',
        storage_class="STANDARD_IA",
        encryption=Encryption.kms("alias/reports"),  # SSE-KMS; Encryption.managed() is SSE-S3
        acl="private",  # canned ACL: write only, never reported
        tags={"team": "finance", "retention": "7y"},
    )
    await storage.put("reports/2026/q3.pdf", b"%PDF-1.7 ...", attributes=report)

    # info() is one HeadObject, plus one GetObjectTagging because the object has tags.
    stored = await storage.info("reports/2026/q3.pdf")
    print(stored.attributes.storage_class, stored.attributes.encryption, dict(stored.attributes.tags))

    # copy() keeps everything, storage class and KMS key included (sent again to CopyObject).
    copied = await storage.copy("reports/2026/q3.pdf", "archive/q3.pdf")
    assert copied.attributes == stored.attributes

    # One folder at a time: ListObjectsV2 with Delimiter="/".
    async for entry in storage.list_dir("reports"):
        kind = "folder" if isinstance(entry, StoredFolder) else "file"
        print(kind, entry.key)  # folder reports/2026/
