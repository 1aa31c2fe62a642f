"""Black-box tests of Staffroom's client API with the real Mastodon.py, against running nodes.

Started by federation-tests/tests/mastodon_py.rs, which sets:
  NODE_A, NODE_B        base URLs (http://localhost:PORT) of two running nodes
  GROUP_B               name of a public group on B, with a member BOB_B who posts and reacts on B
  STAFFROOM_BIN_CMD_B   shell prefix that runs `staffroom` against node B (for B's member's actions)
"""

import base64
import hashlib
import html
import io
import struct
import zlib
import os
import re
import secrets
import shlex
import subprocess
import time

import pytest
import requests
from mastodon import Mastodon

A = os.environ["NODE_A"]
B = os.environ["NODE_B"]
B_DOMAIN = B.split("://", 1)[1]
GROUP_B = os.environ["GROUP_B"]
BOB_B = os.environ["BOB_B"]
OOB = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = ["read", "write", "follow", "push"]
PASSWORD = "a long enough passphrase"


def png(width=4, height=3):
    """A small valid PNG, made here (no imaging library needed)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def b_cli(*args):
    """Acts as B's member through B's own command line."""
    cmd = shlex.split(os.environ["STAFFROOM_BIN_CMD_B"]) + list(args)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def eventually(check, what, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def app_credentials(base):
    return Mastodon.create_app("staffroom-tests", api_base_url=base, redirect_uris=OOB, scopes=SCOPES)


def sign_in_with_pkce(base, client_id, client_secret, username):
    """The authorization-code flow with PKCE (S256) and the out-of-band redirect, as an app does
    it: open the authorization page, sign in there, copy the code, exchange it with the verifier."""
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    url = api.auth_request_url(redirect_uris=OOB, scopes=SCOPES, allow_http=True)
    url += f"&code_challenge={challenge}&code_challenge_method=S256"
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "<form" in page.text
    fields = {k: html.unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)}
    fields.update({"username": username, "password": PASSWORD})
    shown = requests.post(base + "/oauth/authorize", data=fields, timeout=10)
    assert shown.status_code == 200, shown.text
    code = re.search(r'<code id="code">([^<]+)</code>', shown.text).group(1)
    token = requests.post(base + "/oauth/token", data={
        "grant_type": "authorization_code", "code": code, "client_id": client_id, "client_secret": client_secret,
        "redirect_uri": OOB, "code_verifier": verifier,
    }, timeout=10)
    assert token.status_code == 200, token.text
    return Mastodon(access_token=token.json()["access_token"], api_base_url=base)


@pytest.fixture(scope="module")
def ada():
    """A member who registers on A through the API and signs in with PKCE."""
    client_id, client_secret = app_credentials(A)
    registrar = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=A)
    registrar.create_account("ada", PASSWORD, "ada@school.example", agreement=True, reason="I teach maths")
    return sign_in_with_pkce(A, client_id, client_secret, "ada")


def test_registration_and_sign_in(ada):
    me = ada.account_verify_credentials()
    assert me.username == "ada" and me.acct == "ada"
    assert me.avatar.startswith(A)
    instance = ada.instance()
    assert "Staffroom" in instance.version
    # Mastodon.py's own code flow (without PKCE) works too.
    client_id, client_secret = app_credentials(A)
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=A)
    url = api.auth_request_url(redirect_uris=OOB, scopes=SCOPES, allow_http=True)
    page = requests.get(url, timeout=10).text
    fields = {k: html.unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)}
    fields.update({"username": "ada", "password": PASSWORD})
    code = re.search(r'<code id="code">([^<]+)</code>', requests.post(A + "/oauth/authorize", data=fields, timeout=10).text).group(1)
    api.log_in(code=code, redirect_uri=OOB, scopes=SCOPES, allow_http=True)
    assert api.me().username == "ada"


def test_timelines_page_by_page(ada):
    posted = [ada.status_post(f"Lesson note {i} #planning").id for i in range(25)]
    page = ada.timeline_home(limit=10)
    seen = [s.id for s in page]
    while len(seen) < 25:
        page = ada.fetch_next(page)
        assert page, f"ran out after {len(seen)}"
        seen += [s.id for s in page]
    assert seen[:25] == list(reversed(posted))
    assert len(ada.timeline_hashtag("planning", limit=40)) == 25
    assert len(ada.timeline_local(limit=5)) == 5


def test_follow_a_group_on_another_node_read_it_and_post_into_it(ada):
    found = ada.search_v2(f"@{GROUP_B}@{B_DOMAIN}", resolve=True)
    assert len(found.accounts) == 1
    group = found.accounts[0]
    assert group.group is True and group.acct == f"{GROUP_B}@{B_DOMAIN}"
    relationship = ada.account_follow(group.id)
    assert relationship.following or relationship.requested
    eventually(lambda: ada.account_relationships(group.id)[0].following, "the group accepts ada")

    # Something posted in the group on B reaches ada's home timeline, as a boost by the group.
    url = b_cli("member", BOB_B, "post", "--group", GROUP_B, "Welcome to the network, everyone!")
    def boosted():
        return [s for s in ada.timeline_home(limit=40) if s.reblog and s.reblog.uri == url]
    status = eventually(boosted, "the group's post in ada's home timeline")[0]
    assert status.account.group is True

    # Ada posts into the group by mentioning it; B's group takes it (anonymous read on B).
    mine = ada.status_post(f"@{GROUP_B}@{B_DOMAIN} Hello from node A!")
    b = Mastodon(api_base_url=B)
    group_on_b = b.account_lookup(GROUP_B)
    eventually(lambda: any(s.uri == mine.uri for s in b.account_statuses(group_on_b.id)), "ada's post in the group on B")

    # A post with an image, into the group: the picture and its description reach B.
    media = ada.media_post(io.BytesIO(png()), mime_type="image/png", description="A fraction wall")
    assert media.type == "image" and media.meta.original.width == 4
    with_image = ada.status_post(f"@{GROUP_B}@{B_DOMAIN} Our fraction wall", media_ids=[media])
    assert with_image.media_attachments[0].description == "A fraction wall"
    assert requests.get(with_image.media_attachments[0].url, timeout=10).content == png()
    def image_on_b():
        for s in b.account_statuses(group_on_b.id):
            if s.uri == with_image.uri and s.media_attachments:
                return s.media_attachments[0]
    remote = eventually(image_on_b, "the image post on B")
    assert remote.url == with_image.media_attachments[0].url and remote.description == "A fraction wall"

    # B's member replies and favourites: ada is notified of both.
    b_cli("member", BOB_B, "post", "--reply-to", mine.uri, f"@ada@{A.split('://', 1)[1]} welcome!")
    b_cli("member", BOB_B, "like", mine.uri)
    def notified():
        kinds = {n.type for n in ada.notifications() if n.status and n.status.id in (mine.id,) or n.type == "mention"}
        return {"mention", "favourite"} <= kinds and kinds
    eventually(notified, "notifications of the reply and the favourite")
    mentions = ada.notifications(types=["mention"])
    assert mentions and mentions[0].status.in_reply_to_id == mine.id
    favourites = ada.notifications(types=["favourite"])
    assert favourites and favourites[0].account.acct == f"{BOB_B}@{B_DOMAIN}"
    context = ada.status_context(mine.id)
    assert any("welcome!" in s.content for s in context.descendants)


@pytest.fixture(scope="module")
def bob_b():
    """B's member, signed in on B with PKCE (the suite's second client, on the other node)."""
    client_id, client_secret = app_credentials(B)
    return sign_in_with_pkce(B, client_id, client_secret, BOB_B)


def test_a_poll_voted_from_the_other_node(ada, bob_b):
    # Bob asks the group on B; ada (a member, on A) votes; both nodes count her vote.
    ada.account_follow(ada.search_v2(f"@{GROUP_B}@{B_DOMAIN}", resolve=True).accounts[0].id)
    poll = bob_b.make_poll(["Monday", "Friday"], expires_in=3600)
    asked = bob_b.status_post(f"@{GROUP_B} Which day for the seminar?", poll=poll)
    assert [o.title for o in asked.poll.options] == ["Monday", "Friday"]
    def arrived():
        for s in ada.timeline_home(limit=40):
            s = s.reblog or s
            if s.uri == asked.uri and s.poll:
                return s
    status = eventually(arrived, "bob's poll at ada's home on A")
    voted = ada.poll_vote(status.poll.id, [1])
    assert voted.voted and voted.own_votes == [1]
    eventually(lambda: bob_b.poll(asked.poll.id).options[1].votes_count == 1, "ada's vote counted on B")
    eventually(lambda: ada.poll(status.poll.id).options[1].votes_count == 1, "B's new counts back on A")


def test_an_event_answered_by_poll_from_the_other_node(ada):
    # An event of the group on B shows on A as a status with a poll; voting Going is a Join.
    url = b_cli("event", "create", "--by", BOB_B, "--group", GROUP_B, "--title", "Maths fair",
                "--start", "2099-03-01T10:00", "--timezone", "Europe/Paris")
    def shown():
        for s in ada.timeline_home(limit=40):
            s = s.reblog or s
            if s.uri == url and s.poll:
                return s
    status = eventually(shown, "the event with its poll at ada's home on A")
    assert [o.title for o in status.poll.options] == ["Going", "Maybe", "Can't go"]
    answer = ada.poll_vote(status.poll.id, [0])
    assert answer.own_votes == [0]
    ada_on_a = f"{A}/users/ada"
    eventually(lambda: ada_on_a in b_cli("event", "participants", url), "ada taking part on B")
    ada.poll_vote(status.poll.id, [2])
    eventually(lambda: ada_on_a not in b_cli("event", "participants", url), "ada's Leave on B")


def test_a_new_post_arrives_over_streaming(ada):
    from mastodon import StreamListener
    received = []

    class Listener(StreamListener):
        def on_update(self, status):
            received.append(status)

    handle = ada.stream_user(Listener(), run_async=True, reconnect_async=False)
    try:
        eventually(lambda: handle.is_receiving(), "the stream to open", seconds=10)
        time.sleep(0.5)
        posted = ada.status_post("Live from the staffroom")
        eventually(lambda: any(s.id == posted.id for s in received), "the new post over streaming")
    finally:
        handle.close()


def test_errors_come_back_in_mastodons_shape(ada):
    from mastodon import MastodonNotFoundError, MastodonAPIError
    with pytest.raises(MastodonNotFoundError):
        ada.status(1)
    with pytest.raises(MastodonAPIError):
        ada.status_post("x" * 10_001)
    assert ada.filters_v2() == [] and ada.lists() == [] and ada.custom_emojis() == []
