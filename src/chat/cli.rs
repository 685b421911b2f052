//! `doum chat`: a terminal conversation with a running skill server.
//!
//! Each line typed is sent to `POST {url}/kakao/skill` as a request shaped like Open
//! Builder's (a fixed bot, block and a stable fake `plusfriendUserKey`, settable with
//! `--user` so that the linked users of `data/accounts.yaml` can be tried). The answer is
//! printed as text: card titles, descriptions, buttons with their targets, list items and
//! quick replies numbered. Typing a number taps that item: its `messageText` is sent as
//! the utterance and its `extra` as `action.clientExtra`, as KakaoTalk does.

use std::io::{BufRead, Write};

use anyhow::{Context, Result};
use serde_json::{Value, json};

/// The fake user key `doum chat` uses unless told otherwise.
pub const DEFAULT_USER: &str = "doum-chat-user";
/// The block id the fake requests name (replies are routed back to it).
pub const CLI_BLOCK_ID: &str = "doum-chat-block";

/// The arguments of `doum chat`.
#[derive(Debug, Clone, clap::Args)]
pub struct ChatArgs {
    /// Base URL of the running server (default: `http://<addr>`).
    #[arg(long)]
    pub url: Option<String>,
    /// Address of the running server, used when --url is not given.
    #[arg(long, default_value = "127.0.0.1:8080", env = "DOUM_ADDR")]
    pub addr: String,
    /// The fake plusfriendUserKey to send (e.g. pfk-7f3a9c21, linked in data/accounts.yaml).
    #[arg(long, default_value = DEFAULT_USER)]
    pub user: String,
    /// The skill secret to send as X-Doum-Skill-Secret.
    #[arg(long, env = "DOUM_KAKAO_SECRET", hide_env_values = true)]
    pub secret: Option<String>,
    /// Send this one utterance, print the answer and exit.
    #[arg(long)]
    pub once: Option<String>,
}

impl ChatArgs {
    /// The session settings: the server is `--url`, else `http://<--addr>`.
    pub fn options(&self) -> ChatOptions {
        let url = self
            .url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr));
        ChatOptions {
            url,
            user: self.user.clone(),
            secret: self.secret.clone().filter(|s| !s.is_empty()),
        }
    }

    /// Runs `doum chat`.
    pub fn run(&self) -> Result<()> {
        let opts = self.options();
        match &self.once {
            Some(utterance) => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(once(&opts, utterance)),
            None => interactive(&opts),
        }
    }
}

/// Settings of a `doum chat` session.
#[derive(Debug, Clone)]
pub struct ChatOptions {
    /// Base URL of the server, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    /// The `plusfriendUserKey` to send.
    pub user: String,
    /// The `X-Doum-Skill-Secret` header to send, if any.
    pub secret: Option<String>,
}

/// Something the person can tap by number.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// What is shown.
    pub label: String,
    /// Sent as the utterance.
    pub message_text: String,
    /// Sent as `clientExtra`.
    pub extra: Value,
    /// The block it runs, if any.
    pub block_id: Option<String>,
}

/// A skill request as Open Builder would send it.
pub fn request_body(user: &str, utterance: &str, choice: Option<&Choice>) -> Value {
    let block_id = choice
        .and_then(|c| c.block_id.clone())
        .unwrap_or_else(|| CLI_BLOCK_ID.to_owned());
    let extra = choice.map_or(json!({}), |c| c.extra.clone());
    json!({
        "intent": { "id": block_id, "name": "폴백 블록" },
        "userRequest": {
            "timezone": "Asia/Seoul",
            "params": { "surface": "Kakaotalk.plusfriend" },
            "block": { "id": block_id, "name": "폴백 블록" },
            "utterance": utterance,
            "lang": "ko",
            "user": {
                "id": format!("bot-{user}"),
                "type": "botUserKey",
                "properties": {
                    "botUserKey": format!("bot-{user}"),
                    "plusfriendUserKey": user,
                    "isFriend": true
                }
            }
        },
        "bot": { "id": "doum-chat-bot", "name": "도움 봇" },
        "action": {
            "id": "doum-chat-skill",
            "name": "doum_skill",
            "params": {},
            "detailParams": {},
            "clientExtra": extra
        },
        "contexts": []
    })
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn button_target(b: &Value) -> String {
    match s(b, "action") {
        "webLink" => format!("→ {}", s(b, "webLinkUrl")),
        "message" => format!("→ says \"{}\"", s(b, "messageText")),
        "block" => format!("→ block {} \"{}\"", s(b, "blockId"), s(b, "messageText")),
        "phone" => format!("→ call {}", s(b, "phoneNumber")),
        "operator" => "→ human agent".to_owned(),
        other => format!("→ {other}"),
    }
}

fn choice_of(v: &Value, label: &str) -> Choice {
    Choice {
        label: label.to_owned(),
        message_text: s(v, "messageText").to_owned(),
        extra: v.get("extra").cloned().unwrap_or(json!({})),
        block_id: (s(v, "action") == "block").then(|| s(v, "blockId").to_owned()),
    }
}

/// The response as text, and what can be tapped by number (list items first, then quick
/// replies, numbered from 1 in that order).
pub fn render(response: &Value) -> (String, Vec<Choice>) {
    let mut out = String::new();
    let mut choices = Vec::new();
    if response.get("useCallback").and_then(Value::as_bool) == Some(true) {
        let text = response.pointer("/data/text").and_then(Value::as_str);
        out.push_str(&format!(
            "(callback) {}\n",
            text.unwrap_or("the answer will come later")
        ));
        return (out, choices);
    }
    let Some(template) = response.get("template") else {
        out.push_str(&format!("(unexpected answer) {response}\n"));
        return (out, choices);
    };
    let empty = Vec::new();
    let buttons = |v: &Value, out: &mut String| {
        for b in v.get("buttons").and_then(Value::as_array).unwrap_or(&empty) {
            out.push_str(&format!("  [{}] {}\n", s(b, "label"), button_target(b)));
        }
    };
    for o in template
        .get("outputs")
        .and_then(Value::as_array)
        .unwrap_or(&empty)
    {
        if let Some(t) = o.get("simpleText") {
            out.push_str(&format!("{}\n", s(t, "text")));
        } else if let Some(c) = o.get("textCard") {
            if !s(c, "title").is_empty() {
                out.push_str(&format!("■ {}\n", s(c, "title")));
            }
            if !s(c, "description").is_empty() {
                out.push_str(&format!("{}\n", s(c, "description")));
            }
            buttons(c, &mut out);
        } else if let Some(l) = o.get("listCard") {
            out.push_str(&format!(
                "■ {}\n",
                l.pointer("/header/title")
                    .and_then(Value::as_str)
                    .unwrap_or("")
            ));
            for item in l.get("items").and_then(Value::as_array).unwrap_or(&empty) {
                let title = s(item, "title");
                choices.push(choice_of(item, title));
                out.push_str(&format!("  {}. {}", choices.len(), title));
                if !s(item, "description").is_empty() {
                    out.push_str(&format!(" ({})", s(item, "description")));
                }
                if let Some(url) = item.pointer("/link/web").and_then(Value::as_str) {
                    out.push_str(&format!(" → {url}"));
                }
                out.push('\n');
            }
            buttons(l, &mut out);
        } else {
            out.push_str(&format!("(other output) {o}\n"));
        }
        out.push('\n');
    }
    let quick = template
        .get("quickReplies")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    if !quick.is_empty() {
        let labels: Vec<String> = quick
            .iter()
            .map(|q| {
                choices.push(choice_of(q, s(q, "label")));
                format!("{}) {}", choices.len(), s(q, "label"))
            })
            .collect();
        out.push_str(&format!("빠른 답장: {}\n", labels.join("  ")));
    }
    (out, choices)
}

/// Sends one request and returns the response JSON.
pub async fn send(client: &reqwest::Client, opts: &ChatOptions, body: &Value) -> Result<Value> {
    let url = format!("{}/kakao/skill", opts.url.trim_end_matches('/'));
    let mut req = client.post(&url).json(body);
    if let Some(secret) = &opts.secret {
        req = req.header("X-Doum-Skill-Secret", secret);
    }
    let resp = req.send().await.with_context(|| format!("POST {url}"))?;
    let status = resp.status();
    let text = resp.text().await.context("reading the answer")?;
    if !status.is_success() {
        anyhow::bail!("{url} answered {status}: {text}");
    }
    serde_json::from_str(&text).with_context(|| format!("the answer is not JSON: {text}"))
}

fn client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .context("building the HTTP client")
}

/// `--once`: sends one utterance and prints the answer.
pub async fn once(opts: &ChatOptions, utterance: &str) -> Result<()> {
    let body = request_body(&opts.user, utterance, None);
    let response = send(&client()?, opts, &body).await?;
    print!("{}", render(&response).0);
    Ok(())
}

/// The interactive loop: reads lines from stdin until EOF or `/quit`.
pub fn interactive(opts: &ChatOptions) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = client()?;
    println!(
        "doum chat: {} as user {} (a number taps a list item or quick reply; /quit ends)",
        opts.url, opts.user
    );
    let mut choices: Vec<Choice> = Vec::new();
    let stdin = std::io::stdin();
    let mut line = String::new();
    loop {
        print!("> ");
        std::io::stdout().flush()?;
        line.clear();
        if stdin.lock().read_line(&mut line)? == 0 {
            println!();
            return Ok(());
        }
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        if text == "/quit" || text == "/exit" {
            return Ok(());
        }
        let chosen = text
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| choices.get(i))
            .cloned();
        let body = match &chosen {
            Some(c) => {
                println!("(tapped: {})", c.label);
                request_body(&opts.user, &c.message_text, Some(c))
            }
            None => request_body(&opts.user, text, None),
        };
        match rt.block_on(send(&client, opts, &body)) {
            Ok(response) => {
                let (text, next) = render(&response);
                print!("{text}");
                choices = next;
            }
            Err(e) => println!("error: {e:#}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_cards_and_numbers_choices() {
        let v = json!({"version":"2.0","template":{"outputs":[
            {"textCard":{"title":"제목","description":"설명","buttons":[{"label":"자세히 보기","action":"webLink","webLinkUrl":"https://x/a"}]}},
            {"listCard":{"header":{"title":"목록"},"items":[{"title":"하나","action":"block","blockId":"b","messageText":"하나","extra":{"doum":"entry","id":"a"}}]}}
        ],"quickReplies":[{"label":"더 보기","action":"message","messageText":"더 보기","extra":{"doum":"more","q":"x","page":2}}]}});
        let (text, choices) = render(&v);
        assert!(text.contains("■ 제목"));
        assert!(text.contains("[자세히 보기] → https://x/a"));
        assert!(text.contains("1. 하나"));
        assert!(text.contains("2) 더 보기"));
        assert_eq!(choices.len(), 2);
        assert_eq!(choices[0].block_id.as_deref(), Some("b"));
        let body = request_body("u", &choices[1].message_text, Some(&choices[1]));
        assert_eq!(body["action"]["clientExtra"]["page"], 2);
        assert_eq!(
            body["userRequest"]["user"]["properties"]["plusfriendUserKey"],
            "u"
        );
    }
}
