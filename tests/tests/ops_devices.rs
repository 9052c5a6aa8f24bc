//! Devices (sessions) and the account's lifetime over real HTTP: listing and signing out
//! devices, changing the password, deleting the account and everything of it.

use kith_tests::{unique_email, TestServer};
use reqwest::header::USER_AGENT;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery staple";

async fn login_as(server: &TestServer, email: &str, device: Option<&str>, agent: &str) -> String {
    let mut body = json!({ "email": email, "password": PASSWORD });
    if let Some(name) = device {
        body["device_name"] = json!(name);
    }
    let response = server
        .http()
        .post(server.url("/api/v1/sessions"))
        .header(USER_AGENT, agent)
        .json(&body)
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    body["token"].as_str().expect("token").to_string()
}

async fn devices(server: &TestServer, token: &str) -> (StatusCode, Value) {
    let response = server.http().get(server.url("/api/v1/devices")).bearer_auth(token).send().await.expect("devices");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

async fn me_status(server: &TestServer, token: &str) -> StatusCode {
    server.http().get(server.url("/api/v1/me")).bearer_auth(token).send().await.expect("me").status()
}

fn device_named<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["devices"]
        .as_array()
        .expect("devices array")
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no device {name:?} in {list}"))
}

#[tokio::test]
async fn devices_are_listed_by_name_and_one_can_be_signed_out() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("dev");
    let (first, _) = server.signup(&email, PASSWORD).await.expect("signup");
    let phone = login_as(&server, &email, Some("Ada's phone"), "KithApp/1.0").await;
    let browser = login_as(&server, &email, None, "Mozilla/5.0 (X11; Linux) Firefox/130.0").await;

    let (status, list) = devices(&server, &phone).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["devices"].as_array().map(Vec::len), Some(3), "{list}");
    let me = device_named(&list, "Ada's phone");
    assert_eq!(me["current"], true);
    let firefox = device_named(&list, "Mozilla/5.0 (X11; Linux) Firefox/130.0");
    assert_eq!(firefox["current"], false, "User-Agent is the fallback name");
    for d in list["devices"].as_array().expect("array") {
        assert!(d["created_at"].as_str().is_some() && d["last_seen_at"].as_str().is_some(), "{d}");
    }
    assert_eq!(list["devices"].as_array().expect("array").iter().filter(|d| d["current"] == true).count(), 1);

    // the phone signs the browser out
    let id = firefox["id"].as_str().expect("id");
    let response =
        server.http().delete(server.url(&format!("/api/v1/devices/{id}"))).bearer_auth(&phone).send().await.expect("delete");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(me_status(&server, &browser).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&server, &phone).await, StatusCode::OK);
    assert_eq!(me_status(&server, &first).await, StatusCode::OK);
    let (_, list) = devices(&server, &phone).await;
    assert_eq!(list["devices"].as_array().map(Vec::len), Some(2), "{list}");

    // signing it out again, or a garbage id, is a 404
    for path in [format!("/api/v1/devices/{id}"), "/api/v1/devices/not-a-uuid".to_string()] {
        let response = server.http().delete(server.url(&path)).bearer_auth(&phone).send().await.expect("delete");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "not_found");
    }
}

#[tokio::test]
async fn nobody_can_sign_out_another_users_device() {
    let server = TestServer::start().await.expect("server");
    let (ada, _) = server.signup(&unique_email("ada"), PASSWORD).await.expect("ada");
    let (eve, _) = server.signup(&unique_email("eve"), PASSWORD).await.expect("eve");
    let (_, list) = devices(&server, &ada).await;
    let ada_device = list["devices"][0]["id"].as_str().expect("id").to_string();
    let response = server
        .http()
        .delete(server.url(&format!("/api/v1/devices/{ada_device}")))
        .bearer_auth(&eve)
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(me_status(&server, &ada).await, StatusCode::OK);
    assert_eq!(devices(&server, "garbage").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn password_change_signs_out_the_other_devices_but_not_this_one() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("pw");
    let (laptop, _) = server.signup(&email, PASSWORD).await.expect("signup");
    let phone = login_as(&server, &email, Some("phone"), "x").await;
    let new_password = "a brand new long password";

    // the wrong current password changes nothing, and is not a 401 (the session is fine)
    let response = server
        .http()
        .post(server.url("/api/v1/account/password"))
        .bearer_auth(&laptop)
        .json(&json!({ "current": "not my password!!", "new": new_password }))
        .send()
        .await
        .expect("change");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // a too-short new password is refused before anything else
    let response = server
        .http()
        .post(server.url("/api/v1/account/password"))
        .bearer_auth(&laptop)
        .json(&json!({ "current": PASSWORD, "new": "short" }))
        .send()
        .await
        .expect("change");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(me_status(&server, &phone).await, StatusCode::OK);

    let response = server
        .http()
        .post(server.url("/api/v1/account/password"))
        .bearer_auth(&laptop)
        .json(&json!({ "current": PASSWORD, "new": new_password }))
        .send()
        .await
        .expect("change");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(me_status(&server, &phone).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&server, &laptop).await, StatusCode::OK);
    let (_, list) = devices(&server, &laptop).await;
    assert_eq!(list["devices"].as_array().map(Vec::len), Some(1), "{list}");

    // only the new password logs in now
    assert!(server.login(&email, PASSWORD).await.is_err());
    server.login(&email, new_password).await.expect("new password works");
}
