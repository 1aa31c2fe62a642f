// Black-box tests of Staffroom's client API with real JavaScript client libraries: masto.js
// (Elk, Phanpy) and megalodon (Whalebird), against two running nodes. Started by
// federation-tests/tests/node_clients.rs, which sets NODE_A, NODE_B (base URLs), GROUP_B and
// BOB_B (a public group on B and its owner, whose password is PASSWORD).

import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { createOAuthAPIClient, createRestAPIClient } from "masto";
import generator, { detector } from "megalodon";

const A = process.env.NODE_A;
const B = process.env.NODE_B;
const B_DOMAIN = B.split("://")[1];
const GROUP_B = process.env.GROUP_B;
const BOB_B = process.env.BOB_B;
const OOB = "urn:ietf:wg:oauth:2.0:oob";
const SCOPES = "read write follow push";
const PASSWORD = "a long enough passphrase";

async function eventually(check, what, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const unescape = (s) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** The authorization-code flow with PKCE through the node's sign-in page, as an app opens it. */
async function signIn(base, app, username) {
  const verifier = crypto.randomBytes(32).toString("base64url");
  const challenge = crypto.createHash("sha256").update(verifier).digest("base64url");
  const url = `${base}/oauth/authorize?response_type=code&client_id=${encodeURIComponent(app.clientId)}` +
    `&redirect_uri=${encodeURIComponent(OOB)}&scope=${encodeURIComponent(SCOPES)}` +
    `&code_challenge=${challenge}&code_challenge_method=S256`;
  const page = await (await fetch(url)).text();
  const fields = new URLSearchParams();
  for (const [, k, v] of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields.append(k, unescape(v));
  fields.append("username", username);
  fields.append("password", PASSWORD);
  const shown = await (await fetch(`${base}/oauth/authorize`, { method: "POST", body: fields })).text();
  const code = shown.match(/<code id="code">([^<]+)<\/code>/)[1];
  const token = await createOAuthAPIClient({ url: base }).token.create({
    grantType: "authorization_code", clientId: app.clientId, clientSecret: app.clientSecret,
    redirectUri: OOB, code, codeVerifier: verifier, scope: SCOPES,
  });
  return token.accessToken;
}

async function registerApp(base) {
  const app = await createRestAPIClient({ url: base }).v1.apps.create({ clientName: "staffroom-node-tests", redirectUris: OOB, scopes: SCOPES });
  return app;
}

/** A small valid PNG, made here (no imaging library needed). */
function smallPng(width, height) {
  const chunk = (kind, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(kind, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = [];
  for (let y = 0; y < height; y++) rows.push(Buffer.from([0, ...Array(width).fill([0x80, 0x40, 0x20]).flat()]));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header), chunk("IDAT", zlib.deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0)),
  ]);
}

const results = [];
async function step(name, f) {
  try {
    await f();
    results.push(`ok   ${name}`);
  } catch (e) {
    results.push(`FAIL ${name}: ${e.stack || e}`);
  }
}

// masto.js: sign-up (a multipart form, with a JSON boolean agreement), then PKCE sign-in.
let kimToken;
let bobToken;
const appA = await registerApp(A);
const appB = await registerApp(B);
await step("masto.js registers a member (multipart) and signs in with PKCE", async () => {
  const appToken = await createOAuthAPIClient({ url: A }).token.create({
    grantType: "client_credentials", clientId: appA.clientId, clientSecret: appA.clientSecret, redirectUri: OOB, scope: SCOPES,
  });
  const registrar = createRestAPIClient({ url: A, accessToken: appToken.accessToken });
  const t = await registrar.v1.accounts.create({ username: "kim", email: "kim@school.example", password: PASSWORD, agreement: true, locale: "en", reason: "I teach" });
  assert.ok(t.accessToken);
  kimToken = await signIn(A, appA, "kim");
  bobToken = await signIn(B, appB, BOB_B);
  const me = await createRestAPIClient({ url: A, accessToken: kimToken }).v1.accounts.verifyCredentials();
  assert.equal(me.username, "kim");
});

const kim = () => createRestAPIClient({ url: A, accessToken: kimToken });
const bob = () => createRestAPIClient({ url: B, accessToken: bobToken });

let bobOnA;
let kimOnB;
await step("masto.js: each visibility, and a direct message to the other node", async () => {
  bobOnA = (await kim().v2.search.list({ q: `@${BOB_B}@${B_DOMAIN}`, resolve: true })).accounts[0];
  assert.equal(bobOnA.acct, `${BOB_B}@${B_DOMAIN}`);
  for (const visibility of ["public", "unlisted", "private", "direct"]) {
    const s = await kim().v1.statuses.create({ status: `@${BOB_B}@${B_DOMAIN} a ${visibility} note`, visibility, spoilerText: "homework", language: "fr" });
    assert.equal(s.visibility, visibility);
    assert.equal(s.spoilerText, "homework");
    assert.equal(s.language, "fr");
  }
  const conversation = await eventually(async () => {
    const list = await bob().v1.conversations.list();
    return list.find((c) => c.lastStatus && c.lastStatus.content.includes("a direct note"));
  }, "the direct message in bob's conversations on B");
  assert.equal(conversation.lastStatus.visibility, "direct");
  kimOnB = conversation.accounts.find((a) => a.acct.startsWith("kim@"));
  assert.ok(kimOnB, JSON.stringify(conversation.accounts));
});

await step("masto.js: a poll on A voted from B", async () => {
  await bob().v1.accounts.$select(kimOnB.id).follow();
  await eventually(async () => (await bob().v1.accounts.relationships.fetch({ id: [kimOnB.id] }))[0].following, "bob following kim");
  const asked = await kim().v1.statuses.create({ status: "Which day?", poll: { options: ["Monday", "Friday"], expiresIn: 3600 } });
  const seen = await eventually(async () => (await bob().v1.timelines.home.list({ limit: 40 })).find((s) => s.uri === asked.uri && s.poll), "kim's poll at bob's home on B");
  const voted = await bob().v1.polls.$select(seen.poll.id).votes.create({ choices: [1] });
  assert.deepEqual(voted.ownVotes, [1]);
  await eventually(async () => (await kim().v1.polls.$select(asked.poll.id).fetch()).options[1].votesCount === 1, "bob's vote counted on A");
});

await step("masto.js: lists, mutes and blocks", async () => {
  await kim().v1.accounts.$select(bobOnA.id).follow();
  await eventually(async () => (await kim().v1.accounts.relationships.fetch({ id: [bobOnA.id] }))[0].following, "kim following bob");
  const list = await kim().v1.lists.create({ title: "Colleagues abroad", repliesPolicy: "list" });
  await kim().v1.lists.$select(list.id).accounts.create({ accountIds: [bobOnA.id] });
  const members = await kim().v1.lists.$select(list.id).accounts.list();
  assert.deepEqual(members.map((a) => a.id), [bobOnA.id]);
  const posted = await bob().v1.statuses.create({ status: "From B to my lists" });
  await eventually(async () => (await kim().v1.timelines.list.$select(list.id).list()).some((s) => s.uri === posted.uri), "bob's post in kim's list");
  let rel = await kim().v1.accounts.$select(bobOnA.id).mute({ notifications: false, duration: 3600 });
  assert.equal(rel.muting, true);
  assert.equal(rel.mutingNotifications, false);
  const home = await kim().v1.timelines.home.list({ limit: 40 });
  assert.ok(!home.some((s) => s.uri === posted.uri), "a muted person's post leaves home");
  rel = await kim().v1.accounts.$select(bobOnA.id).unmute();
  assert.equal(rel.muting, false);
  rel = await kim().v1.accounts.$select(bobOnA.id).block();
  assert.equal(rel.blocking, true);
  assert.equal(rel.following, false);
  assert.deepEqual((await kim().v1.blocks.list()).map((a) => a.id), [bobOnA.id]);
  // B learns of the block: bob no longer follows kim there.
  await eventually(async () => !(await bob().v1.accounts.relationships.fetch({ id: [kimOnB.id] }))[0].following, "the Block on B");
  rel = await kim().v1.accounts.$select(bobOnA.id).unblock();
  assert.equal(rel.blocking, false);
});

// megalodon: the server is recognised, and the same member acts through it.
await step("megalodon detects the node and signs in", async () => {
  assert.equal(await detector(A), "mastodon");
  const client = generator("mastodon", A);
  const app = await client.registerApp("staffroom-megalodon", { scopes: SCOPES.split(" "), redirect_uris: OOB });
  assert.ok(app.client_id && app.url);
});

const meg = () => generator("mastodon", A, kimToken);
await step("megalodon: media with a description edited (multipart), posts, lists, reports", async () => {
  const png = smallPng(4, 3);
  // megalodon uploads a file stream, as Whalebird reads one from disk.
  const file = path.join(os.tmpdir(), `staffroom-${process.pid}.png`);
  fs.writeFileSync(file, png);
  const up = await meg().uploadMedia(fs.createReadStream(file), { description: "first words" });
  const edited = await meg().updateMedia(up.data.id, { description: "A fraction wall" });
  assert.equal(edited.data.description, "A fraction wall");
  const s = await meg().postStatus("With a picture", { media_ids: [up.data.id], visibility: "unlisted" });
  assert.equal(s.data.visibility, "unlisted");
  assert.equal(s.data.media_attachments[0].description, "A fraction wall");
  const lists = await meg().getLists();
  assert.ok(lists.data.some((l) => l.title === "Colleagues abroad"));
  const home = await meg().getHomeTimeline({ limit: 5 });
  assert.ok(home.data.length > 0);
  const report = await meg().report(bobOnA.id, { comment: "testing reports", forward: true, category: "other" });
  assert.equal(report.data.target_account.id, bobOnA.id);
  assert.equal(report.data.forwarded, true);
  const rel = await meg().blockAccount(bobOnA.id);
  assert.equal(rel.data.blocking, true);
  assert.equal((await meg().getBlocks()).data.length, 1);
  await meg().unblockAccount(bobOnA.id);
});

console.log(results.join("\n"));
const failed = results.filter((r) => r.startsWith("FAIL"));
console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
