//! The accounts' own table (its migrations only): tokens created, resolved and revoked.

use govnode_accounts::{MIGRATOR, Role, TokenStore};
use govnode_federation::testing::temp_database;

#[tokio::test]
async fn token_create_resolve_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &[&MIGRATOR]).await;
    let tokens = TokenStore::new(read, write);

    let (secret, summary) = tokens
        .create("王编辑", Role::Editor, Some("gd"))
        .await
        .unwrap();
    let who = tokens.resolve(&secret).await.unwrap().unwrap();
    assert_eq!((who.name.as_str(), who.role), ("王编辑", Role::Editor));
    assert_eq!(who.scope.site(), Some("gd"));
    assert!(tokens.resolve("gnt_unknown").await.unwrap().is_none());
    assert_eq!(tokens.list().await.unwrap().len(), 1);

    assert!(tokens.revoke(summary.id).await.unwrap());
    assert!(tokens.resolve(&secret).await.unwrap().is_none());
    assert!(!tokens.revoke(summary.id).await.unwrap());
}
