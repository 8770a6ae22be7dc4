//! The library's own tables (its migrations only): blobs stored and read back, index
//! numbers reserved without gaps.

use govnode_federation::testing::temp_database;
use govnode_library::{BlobStore, MIGRATOR, reserve_index_numbers};

#[tokio::test]
async fn blob_put_then_get() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &[&MIGRATOR]).await;
    let store = BlobStore::new(&dir.path().join("blobs"), read, write, 1 << 20);

    let info = store
        .put(b"%PDF-1.7 notice", "application/pdf")
        .await
        .unwrap();
    assert_eq!(info.size, 15);
    // The same bytes again: the same row, no error.
    assert_eq!(
        store
            .put(b"%PDF-1.7 notice", "application/pdf")
            .await
            .unwrap(),
        info
    );
    let (got, bytes) = store.get(&info.hash).await.unwrap().unwrap();
    assert_eq!((got, bytes.as_slice()), (info, &b"%PDF-1.7 notice"[..]));
    assert!(store.get(&"0".repeat(64)).await.unwrap().is_none());
}

#[tokio::test]
async fn index_numbers_run_per_body_and_year() {
    let dir = tempfile::tempdir().unwrap();
    let (_read, write) = temp_database(dir.path(), &[&MIGRATOR]).await;
    let mut conn = write.acquire().await.unwrap();
    assert_eq!(
        reserve_index_numbers(&mut conn, "006939748", 2025, 1)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        reserve_index_numbers(&mut conn, "006939748", 2025, 10)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        reserve_index_numbers(&mut conn, "006939748", 2025, 1)
            .await
            .unwrap(),
        12
    );
    assert_eq!(
        reserve_index_numbers(&mut conn, "006939748", 2026, 1)
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn private_blobs_are_never_public() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &[&MIGRATOR]).await;
    let store = BlobStore::new(&dir.path().join("blobs"), read, write, 1 << 20);
    let scan = store
        .put_private(b"ID card scan", "image/png")
        .await
        .unwrap();
    assert!(store.get_public(&scan.hash).await.unwrap().is_none());
    assert!(store.get(&scan.hash).await.unwrap().is_some());
    // Filed again by a citizen: still private.
    store
        .put_private(b"ID card scan", "image/png")
        .await
        .unwrap();
    assert!(store.get_public(&scan.hash).await.unwrap().is_none());
    // Published by staff: public from then on, whoever uploads it again.
    store.put(b"ID card scan", "image/png").await.unwrap();
    store
        .put_private(b"ID card scan", "image/png")
        .await
        .unwrap();
    assert!(store.get_public(&scan.hash).await.unwrap().is_some());
    let logo = store.put(b"logo", "image/png").await.unwrap();
    assert!(store.get_public(&logo.hash).await.unwrap().is_some());
    assert!(store.get_public(&"0".repeat(64)).await.unwrap().is_none());
}
