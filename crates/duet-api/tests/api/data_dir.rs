//! A data directory Duet cannot use as it is answers with a code of its own: another Duet
//! already has it, or its database is damaged or from a newer Duet.

use duet_api::{Api, ApiOptions, Code};

fn options() -> ApiOptions {
    ApiOptions {
        keyring_service: "dev.duet.app.test.data-dir".to_owned(),
        ..ApiOptions::default()
    }
}

#[tokio::test]
async fn a_data_directory_open_in_this_duet_is_refused_to_a_second_until_closed() {
    let dir = tempfile::tempdir().unwrap();
    let first = Api::open(dir.path(), options()).await.unwrap();
    let Err(error) = Api::open(dir.path(), options()).await else {
        panic!("a second Api opened the same data directory");
    };
    assert_eq!(error.code, Code::DataDirInUse);
    assert!(
        error
            .message
            .contains(&format!("(process {})", std::process::id())),
        "{}",
        error.message
    );
    drop(first);
    Api::open(dir.path(), options())
        .await
        .expect("the directory is free once the first is closed");
}

#[tokio::test]
async fn a_damaged_or_newer_database_answers_with_its_own_code_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("duet.sqlite");
    std::fs::write(&file, vec![0x42; 8192]).unwrap();
    let Err(error) = Api::open(dir.path(), options()).await else {
        panic!("a damaged database opened");
    };
    assert_eq!(error.code, Code::StoreCorrupt);
    assert!(
        error.message.contains("restore it from a backup"),
        "{}",
        error.message
    );
    assert_eq!(std::fs::read(&file).unwrap(), vec![0x42; 8192]);

    std::fs::remove_file(&file).unwrap();
    rusqlite::Connection::open(&file)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let Err(error) = Api::open(dir.path(), options()).await else {
        panic!("a newer database opened");
    };
    assert_eq!(error.code, Code::StoreNewer);
    assert!(
        error.message.contains("written by a newer Duet"),
        "{}",
        error.message
    );
}
