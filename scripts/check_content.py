#!/usr/bin/env python3
"""Check the sample help-center content under content/ (stdlib only).

Usage: python3 scripts/check_content.py [content_dir]
Exits 1 and lists every problem found; prints a summary when clean.
"""
import datetime
import os
import re
import sys
from collections import Counter, defaultdict

SERVICE = "브랜드 이모티콘 관리자센터"
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KEY_ORDER = ["id", "title", "service", "category", "keywords", "updated", "decision", "related"]
REQUIRED = {"id", "title", "service", "category", "updated"}
LIST_KEYS = {"category", "keywords", "related"}
DECISIONS = {"refund-method", "creative-deadlines", "cash-top-up",
             "budget-change", "auto-payment", "sales-rights"}
DATE_MIN = datetime.date(2025, 6, 1)
DATE_MAX = datetime.date(2026, 11, 20)
MIN_ENTRIES = 70
BODY_LINES = (3, 12)
SUB_COUNT = (2, 6)

CATEGORIES = {
    "가입 및 기본사항": ["상품 안내", "가입 및 광고계정", "영업권 설정", "비즈월렛"],
    "광고 만들기/보고서": ["캠페인 만들기", "소재 관리", "광고관리", "보고서"],
    "결제 관리": ["캐시 관리", "결제방법 및 설정", "환불 요청", "세금계산서"],
    "계정 및 멤버": ["멤버 관리", "마스터 권한", "로그인 및 보안"],
}

MANDATORY = [
    ("무상캐시 사용상태를 확인하고 싶어요", ["결제 관리", "캐시 관리"]),
    ("캠페인에 연결한 소재를 다른 소재로 변경할 수 있나요?", ["광고 만들기/보고서", "소재 관리"]),
    ("브랜드이모티콘 소재는 언제까지 전달해야 하나요?", ["가입 및 기본사항", "상품 안내"]),
    ("해외결제 지원이 가능한가요?", ["결제 관리", "결제방법 및 설정"]),
    ("개인광고주도 현금충전이 가능한가요?", ["결제 관리", "캐시 관리"]),
    ("자동결제는 카카오페이로만 등록이 가능한가요?", ["결제 관리", "결제방법 및 설정"]),
    ("개인광고주도 영업권 설정이 가능한가요?", ["가입 및 기본사항", "영업권 설정"]),
    ("탈퇴한 멤버가 결제했던 내역의 카드취소는 가능한가요?", ["결제 관리", "환불 요청"]),
    ("신용카드 충전한 비용 영수증은 어디서 확인하나요?", ["결제 관리", "캐시 관리"]),
    ("증액 가능한가요?", ["광고 만들기/보고서", "광고관리"]),
]
# Mandatory entries whose decision key is fixed by the brief.
MANDATORY_DECISION = {
    "캠페인에 연결한 소재를 다른 소재로 변경할 수 있나요?": "creative-deadlines",
    "브랜드이모티콘 소재는 언제까지 전달해야 하나요?": "creative-deadlines",
    "해외결제 지원이 가능한가요?": "cash-top-up",
    "개인광고주도 현금충전이 가능한가요?": "cash-top-up",
    "자동결제는 카카오페이로만 등록이 가능한가요?": "auto-payment",
    "개인광고주도 영업권 설정이 가능한가요?": "sales-rights",
    "탈퇴한 멤버가 결제했던 내역의 카드취소는 가능한가요?": "refund-method",
    "증액 가능한가요?": "budget-change",
}


def parse_list(value):
    value = value.strip()
    if not (value.startswith("[") and value.endswith("]")):
        return None
    inner = value[1:-1].strip()
    if not inner:
        return []
    return [item.strip() for item in inner.split(",")]


def parse_entry(path, errors):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    lines = text.split("\n")
    if not lines or lines[0] != "---":
        errors.append(f"{path}: must start with '---'")
        return None
    try:
        end = lines.index("---", 1)
    except ValueError:
        errors.append(f"{path}: front matter is not closed with '---'")
        return None
    meta, keys = {}, []
    for n, line in enumerate(lines[1:end], start=2):
        m = re.match(r"^([a-z]+): (.+)$", line)
        if not m:
            errors.append(f"{path}:{n}: malformed front matter line {line!r}")
            continue
        key, value = m.group(1), m.group(2).strip()
        if key not in KEY_ORDER:
            errors.append(f"{path}:{n}: unknown key {key!r}")
            continue
        if key in meta:
            errors.append(f"{path}:{n}: duplicate key {key!r}")
            continue
        keys.append(key)
        if key in LIST_KEYS:
            items = parse_list(value)
            if items is None:
                errors.append(f"{path}:{n}: {key} must be an inline list [a, b]")
                continue
            if any(not i for i in items):
                errors.append(f"{path}:{n}: {key} has an empty item")
            meta[key] = items
        else:
            meta[key] = value
    missing = REQUIRED - set(keys)
    if missing:
        errors.append(f"{path}: missing keys {sorted(missing)}")
    if keys != [k for k in KEY_ORDER if k in keys]:
        errors.append(f"{path}: keys out of order: {keys}")
    body = "\n".join(lines[end + 1:])
    meta["_body"] = body
    return meta


def check_entry(path, meta, errors):
    stem = os.path.splitext(os.path.basename(path))[0]
    eid = meta.get("id", "")
    if not ID_RE.match(eid):
        errors.append(f"{path}: id {eid!r} does not match {ID_RE.pattern}")
    if eid != stem:
        errors.append(f"{path}: id {eid!r} differs from file name {stem!r}")
    title = meta.get("title", "")
    if not title:
        errors.append(f"{path}: empty title")
    if meta.get("service") != SERVICE:
        errors.append(f"{path}: service must be {SERVICE!r}")
    cat = meta.get("category", [])
    if len(cat) != 2:
        errors.append(f"{path}: category must have exactly 2 levels, got {cat}")
    elif cat[0] not in CATEGORIES or cat[1] not in CATEGORIES[cat[0]]:
        errors.append(f"{path}: unknown category {cat}")
    kws = meta.get("keywords")
    if kws is not None:
        if not 1 <= len(kws) <= 4:
            errors.append(f"{path}: keywords must have 1-4 items")
        for kw in kws:
            if kw in title:
                errors.append(f"{path}: keyword {kw!r} already appears in the title")
        if len(set(kws)) != len(kws):
            errors.append(f"{path}: duplicate keywords")
    upd = meta.get("updated", "")
    try:
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", upd):
            raise ValueError
        d = datetime.date.fromisoformat(upd)
        if not DATE_MIN <= d <= DATE_MAX:
            errors.append(f"{path}: updated {upd} outside {DATE_MIN}..{DATE_MAX}")
    except ValueError:
        errors.append(f"{path}: updated {upd!r} is not a valid YYYY-MM-DD date")
    dec = meta.get("decision")
    if dec is not None and dec not in DECISIONS:
        errors.append(f"{path}: unknown decision {dec!r}")
    rel = meta.get("related")
    if rel is not None:
        if not rel:
            errors.append(f"{path}: related is empty (omit the key instead)")
        if eid in rel:
            errors.append(f"{path}: related lists the entry itself")
        if len(set(rel)) != len(rel):
            errors.append(f"{path}: duplicate related ids")
    body_lines = [l for l in meta["_body"].split("\n") if l.strip()]
    if not BODY_LINES[0] <= len(body_lines) <= BODY_LINES[1]:
        errors.append(f"{path}: body has {len(body_lines)} non-blank lines, "
                      f"expected {BODY_LINES[0]}-{BODY_LINES[1]}")
    # The folder should match the top category (any folder name, but one per top).
    return cat


def check_synonyms(path, errors):
    if not os.path.exists(path):
        errors.append(f"{path}: missing")
        return 0
    groups, seen = [], Counter()
    in_groups = False
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            s = line.rstrip("\n")
            if not s.strip() or s.lstrip().startswith("#"):
                continue
            if s == "groups:":
                in_groups = True
                continue
            m = re.match(r"^  - (\[.*\])\s*$", s)
            if not in_groups or not m:
                errors.append(f"{path}:{n}: unexpected line {s!r}")
                continue
            items = parse_list(m.group(1))
            if not items or len(items) < 2 or any(not i for i in items):
                errors.append(f"{path}:{n}: a group needs at least 2 non-empty words")
                continue
            groups.append(items)
            seen.update(items)
    if not 20 <= len(groups) <= 40:
        errors.append(f"{path}: {len(groups)} groups, expected 20-40")
    for word, c in seen.items():
        if c > 1:
            errors.append(f"{path}: {word!r} appears in {c} groups")
    return len(groups)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "content")
    faq_dir = os.path.join(root, "faq")
    errors = []
    entries = {}
    folder_tops = defaultdict(set)
    for dirpath, _, files in os.walk(faq_dir):
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            if not name.endswith(".md"):
                errors.append(f"{path}: not a .md file")
                continue
            meta = parse_entry(path, errors)
            if meta is None:
                continue
            cat = check_entry(path, meta, errors)
            if len(cat) == 2:
                folder_tops[os.path.relpath(dirpath, faq_dir)].add(cat[0])
            eid = meta.get("id")
            if eid in entries:
                errors.append(f"{path}: duplicate id {eid!r} (also {entries[eid][0]})")
            else:
                entries[eid] = (path, meta)

    for folder, tops in folder_tops.items():
        if folder == ".":
            errors.append(f"{faq_dir}: entries must live in a category sub-folder")
        if len(tops) > 1:
            errors.append(f"{folder}: mixes top categories {sorted(tops)}")

    for eid, (path, meta) in entries.items():
        for r in meta.get("related") or []:
            if r not in entries:
                errors.append(f"{path}: related id {r!r} does not exist")

    titles = Counter(m.get("title") for _, m in entries.values())
    for t, c in titles.items():
        if c > 1:
            errors.append(f"title {t!r} used by {c} entries")
    by_title = {m.get("title"): (p, m) for p, m in entries.values()}
    for title, cat in MANDATORY:
        if title not in by_title:
            errors.append(f"mandatory title missing: {title!r}")
            continue
        path, meta = by_title[title]
        if meta.get("category") != cat:
            errors.append(f"{path}: mandatory entry must be in {cat}, is {meta.get('category')}")
        want = MANDATORY_DECISION.get(title)
        if want and meta.get("decision") != want:
            errors.append(f"{path}: mandatory entry needs decision: {want}")

    if len(entries) < MIN_ENTRIES:
        errors.append(f"only {len(entries)} entries, need at least {MIN_ENTRIES}")

    per_sub = Counter(tuple(m["category"]) for _, m in entries.values()
                      if len(m.get("category", [])) == 2)
    for top, subs in CATEGORIES.items():
        for sub in subs:
            c = per_sub.get((top, sub), 0)
            if not SUB_COUNT[0] <= c <= SUB_COUNT[1]:
                errors.append(f"category {top} > {sub} has {c} entries, "
                              f"expected {SUB_COUNT[0]}-{SUB_COUNT[1]}")

    n_groups = check_synonyms(os.path.join(root, "synonyms.yaml"), errors)

    if errors:
        for e in errors:
            print("ERROR:", e)
        print(f"{len(errors)} problem(s) in {len(entries)} entries")
        return 1
    print(f"OK: {len(entries)} entries, {n_groups} synonym groups")
    for top, subs in CATEGORIES.items():
        total = sum(per_sub.get((top, s), 0) for s in subs)
        detail = ", ".join(f"{s} {per_sub.get((top, s), 0)}" for s in subs)
        print(f"  {top}: {total} ({detail})")
    with_kw = sum(1 for _, m in entries.values() if m.get("keywords"))
    with_rel = sum(1 for _, m in entries.values() if m.get("related"))
    print(f"  keywords on {with_kw}, related on {with_rel}")
    for dec in sorted(DECISIONS):
        ids = sorted(e for e, (_, m) in entries.items() if m.get("decision") == dec)
        print(f"  decision {dec}: {', '.join(ids) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
