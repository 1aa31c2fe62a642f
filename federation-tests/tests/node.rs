//! One real node, as a partner institution starts it: a member created with the CLI is
//! discoverable over HTTP, and the node stops cleanly on SIGTERM.

use federation_tests::Node;

const AP: &str = "application/activity+json";

#[tokio::test]
async fn a_member_created_with_the_cli_is_discoverable() {
    let mut node = Node::start("a").await;
    node.create_user("ada");
    let domain = node.domain.clone();

    let (status, wf) = node
        .get_json(
            &format!("/.well-known/webfinger?resource=acct:ada@{domain}"),
            "application/jrd+json",
        )
        .await;
    assert_eq!(status, 200, "{wf}");
    assert_eq!(wf["subject"], format!("acct:ada@{domain}"));
    let self_link = wf["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "self")
        .unwrap();
    assert_eq!(self_link["type"], AP);
    let actor_url = self_link["href"].as_str().unwrap().to_owned();
    assert_eq!(actor_url, format!("http://{domain}/users/ada"));

    let actor: serde_json::Value = node
        .http
        .get(&actor_url)
        .header("accept", AP)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(actor["type"], "Person");
    assert_eq!(actor["preferredUsername"], "ada");
    assert_eq!(actor["inbox"], format!("http://{domain}/users/ada/inbox"));
    assert_eq!(actor["endpoints"]["sharedInbox"], format!("http://{domain}/inbox"));
    assert!(
        actor["publicKey"]["publicKeyPem"]
            .as_str()
            .unwrap()
            .contains("BEGIN PUBLIC KEY")
    );

    let (_, links) = node.get_json("/.well-known/nodeinfo", "application/json").await;
    let href = links["links"][1]["href"].as_str().unwrap().to_owned();
    let nodeinfo: serde_json::Value = node.http.get(&href).send().await.unwrap().json().await.unwrap();
    assert_eq!(nodeinfo["software"]["name"], "staffroom");
    assert_eq!(nodeinfo["usage"]["users"]["total"], 1);

    assert!(node.terminate(), "SIGTERM ends the node cleanly:\n{}", node.log());
    assert!(node.log().contains("shut down cleanly"));
}
