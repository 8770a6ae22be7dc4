//! Content-addressed blobs: files named by their blake3 hash, verified on the way in.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sqlx::{AnyPool, Row};

use crate::LibraryError;

/// What the library knows of a stored blob.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BlobInfo {
    /// blake3 of the bytes, hex.
    pub hash: String,
    /// Size in bytes.
    pub size: i64,
    /// MIME type given at upload.
    pub mime: String,
}

/// Blob files under `{data_dir}/blobs/ab/cd/abcd…` and their index rows.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
    read: AnyPool,
    write: AnyPool,
    max_bytes: u64,
}

/// Checks a hash's shape (so it can never escape the blob directory).
pub fn check_hash(hash: &str) -> Result<(), LibraryError> {
    if hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        Ok(())
    } else {
        Err(LibraryError::BadHash(hash.to_string()))
    }
}

impl BlobStore {
    /// A store rooted at `root`, accepting blobs up to `max_bytes`.
    pub fn new(root: &Path, read: AnyPool, write: AnyPool, max_bytes: u64) -> Self {
        BlobStore {
            root: root.to_path_buf(),
            read,
            write,
            max_bytes,
        }
    }

    /// The largest blob accepted.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    fn path_of(&self, hash: &str) -> PathBuf {
        self.root.join(&hash[0..2]).join(&hash[2..4]).join(hash)
    }

    /// Stores bytes durably (file fsynced, then its row) and returns the blob's info; the
    /// blob is public (a staff upload). Storing the same bytes twice returns the same hash.
    pub async fn put(&self, bytes: &[u8], mime: &str) -> Result<BlobInfo, LibraryError> {
        self.store(bytes, mime, false).await
    }

    /// Stores a private blob (a citizen's attachment): never served by
    /// [`BlobStore::get_public`]. Storing bytes that are already public keeps them public.
    pub async fn put_private(&self, bytes: &[u8], mime: &str) -> Result<BlobInfo, LibraryError> {
        self.store(bytes, mime, true).await
    }

    async fn store(
        &self,
        bytes: &[u8],
        mime: &str,
        private: bool,
    ) -> Result<BlobInfo, LibraryError> {
        if bytes.len() as u64 > self.max_bytes {
            return Err(LibraryError::TooLarge {
                size: bytes.len() as u64,
                limit: self.max_bytes,
            });
        }
        let mime = mime.trim();
        if mime.is_empty() || mime.len() > 127 || !mime.contains('/') {
            return Err(LibraryError::Invalid {
                field: "content-type",
                message: format!("`{mime}` is not a MIME type"),
            });
        }
        let hash = blake3::hash(bytes).to_hex().to_string();
        let path = self.path_of(&hash);
        if tokio::fs::metadata(&path).await.is_err() {
            let dir = path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| self.root.clone());
            let owned = bytes.to_vec();
            let target = path.clone();
            tokio::task::spawn_blocking(move || write_durably(&dir, &target, &owned))
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))??;
        }
        let info = BlobInfo {
            hash,
            size: bytes.len() as i64,
            mime: mime.to_string(),
        };
        // A public upload of private bytes makes them public; never the other way round.
        sqlx::query(
            "INSERT INTO blobs (hash, size, mime, created_ms, private) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (hash) DO UPDATE SET private =
               CASE WHEN excluded.private < blobs.private THEN excluded.private ELSE blobs.private END",
        )
        .bind(&info.hash)
        .bind(info.size)
        .bind(&info.mime)
        .bind(chrono::Utc::now().timestamp_millis())
        .bind(i64::from(private))
        .execute(&self.write)
        .await?;
        Ok(info)
    }

    /// Looks a blob's row up.
    pub async fn info(&self, hash: &str) -> Result<Option<BlobInfo>, LibraryError> {
        check_hash(hash)?;
        let row = sqlx::query("SELECT hash, size, mime FROM blobs WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| {
            Ok(BlobInfo {
                hash: r.try_get("hash")?,
                size: r.try_get("size")?,
                mime: r.try_get("mime")?,
            })
        })
        .transpose()
    }

    /// Reads a public blob's bytes (None for a private one), verifying them: what the public
    /// blob route and peers get.
    pub async fn get_public(
        &self,
        hash: &str,
    ) -> Result<Option<(BlobInfo, Vec<u8>)>, LibraryError> {
        check_hash(hash)?;
        let private: Option<i64> = sqlx::query("SELECT private FROM blobs WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&self.read)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        match private {
            Some(0) => self.get(hash).await,
            _ => Ok(None),
        }
    }

    /// Reads a blob's bytes, public or private, verifying them against the hash.
    pub async fn get(&self, hash: &str) -> Result<Option<(BlobInfo, Vec<u8>)>, LibraryError> {
        let Some(info) = self.info(hash).await? else {
            return Ok(None);
        };
        let bytes = match tokio::fs::read(self.path_of(hash)).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if blake3::hash(&bytes).to_hex().as_str() != hash {
            tracing::error!(%hash, "blob on disk does not match its hash");
            return Err(LibraryError::Io(std::io::Error::other(format!(
                "blob {hash} is corrupt on disk"
            ))));
        }
        Ok(Some((info, bytes)))
    }
}

fn write_durably(dir: &Path, target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    // Unique per write, so two uploads racing in one process never share a temp file.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".tmp-{}-{n}", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, target)?;
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_checked() {
        assert!(check_hash(&"a".repeat(64)).is_ok());
        assert!(check_hash("../../etc/passwd").is_err());
        assert!(check_hash(&"A".repeat(64)).is_err());
    }
}
