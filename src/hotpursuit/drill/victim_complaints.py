"""The scam-ring victims' complaints, written as real ones are: the website misspelt, amounts misremembered,
rounded or given in won, dates a day off, half in Korean; yet each keeps one way to find its payment (the
tx hash, or the sending address and the day, or the address paid with the day and the amount within 30%).
Pure: the mined payments and the seed in, TLP:RED report objects out."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

KST = dt.timezone(dt.timedelta(hours=9), "KST")
_SURNAMES = [("김", "Kim"), ("이", "Lee"), ("박", "Park"), ("최", "Choi"), ("정", "Jung"), ("강", "Kang"),
             ("조", "Cho"), ("윤", "Yoon"), ("장", "Jang"), ("임", "Lim"), ("한", "Han"), ("오", "Oh")]
_SYLLABLES = [("민", "min"), ("서", "seo"), ("지", "ji"), ("현", "hyun"), ("준", "jun"), ("영", "young"),
              ("수", "soo"), ("하", "ha"), ("은", "eun"), ("우", "woo"), ("연", "yeon"), ("호", "ho")]


@dataclass(frozen=True)
class Payment:
    """A victim's payment to an address a scam handed out, as mined."""

    victim: int  # the victim's index
    sender: str
    paid_to: str
    asset: str  # ETH or the token contract
    symbol: str
    decimals: int
    amount: int  # base units
    tx_hash: str
    block: int
    timestamp: int

    @property
    def day(self) -> dt.date:
        """The day the victim paid on their own (Korean) calendar."""
        return dt.datetime.fromtimestamp(self.timestamp, KST).date()


@dataclass(frozen=True)
class Counterfeit:
    """What the victims saw of the counterfeit exchange, and what a coin cost them in won."""

    domain: str
    app: str
    app_ko: str  # the app's name as Korean victims write it
    phones: tuple[str, ...]
    krw_per_coin: dict[str, int]  # symbol -> won per whole coin


@dataclass(frozen=True)
class Complaint:
    """One report as filed, and what it describes: the payment, the fact that finds it, what is wrong."""

    report: dict[str, Any]
    victim: int
    tx_hash: str
    facts: str  # tx_hash | from_address | paid_to
    distortions: tuple[str, ...]


def write_complaints(payments: list[Payment], reported: int, scam: Counterfeit, seed: int) -> list[Complaint]:
    """`reported` victims' complaints, in the order they were filed (VR-0001 first)."""
    rng = random.Random(f"hotpursuit-scam-ring-complaints/{seed}")
    victims = sorted({p.victim for p in payments})
    chosen = rng.sample(victims, reported)
    n_tx, n_from = round(reported * 0.4), round(reported * 0.3)
    modes = ["tx_hash"] * n_tx + ["from_address"] * n_from + ["paid_to"] * (reported - n_tx - n_from)
    languages = ["ko"] * (reported // 2) + ["en"] * (reported - reported // 2)
    rng.shuffle(modes)
    rng.shuffle(languages)
    few = max(2, reported // 10)
    day_off = set(rng.sample(range(reported), few))  # a few dates a day off
    in_won = set(rng.sample([n for n, m in enumerate(modes) if m != "paid_to"], few))  # a few sums in won only
    out = []
    for n, (victim, mode, lang) in enumerate(zip(chosen, modes, languages, strict=True)):
        own = [p for p in payments if p.victim == victim]
        paid = rng.choice(own)
        if mode == "paid_to" and not _found_by_paid_to(paid, payments):
            mode = "from_address"  # others paid that address alike the same days: the address alone is not enough
        out.append(_complaint(rng, f"VR-{n + 1:04d}", paid, own, mode, lang, scam,
                              day_off=n in day_off, in_won=n in in_won))
    return out


def _found_by_paid_to(paid: Payment, payments: list[Payment]) -> bool:
    """No other victim paid the same address the same asset within three days and half to twice as much."""
    return not any(q.victim != paid.victim and q.paid_to == paid.paid_to and q.asset == paid.asset
                   and abs((q.day - paid.day).days) <= 3 and paid.amount <= 2 * q.amount and q.amount <= 2 * paid.amount
                   for q in payments)


def _complaint(rng: random.Random, reference: str, paid: Payment, own: list[Payment], mode: str, lang: str,
               scam: Counterfeit, *, day_off: bool, in_won: bool) -> Complaint:
    wrong: list[str] = []
    paid_at, when = _when(rng, paid, mode, lang, wrong, day_off)
    amount, how_much = _how_much(rng, paid, mode, lang, scam, wrong, in_won)
    website = _website(rng, scam.domain, wrong)
    phone = rng.choice(scam.phones) if rng.random() < 0.8 else None
    if phone and rng.random() < 0.3:
        phone = phone.replace("-", " ")
    app = rng.choice([scam.app, scam.app.replace(" ", ""), scam.app_ko if lang == "ko" else scam.app.lower(), None])
    txs = [paid.tx_hash] if mode == "tx_hash" else []
    if txs and len(own) > 1 and rng.random() < 0.5:
        txs = [p.tx_hash for p in own]
    senders = [paid.sender] if mode == "from_address" or (mode == "tx_hash" and rng.random() < 0.4) else []
    # a victim who paid two addresses names the one meant, or the sender alone would not tell which payment
    two_addresses = mode == "from_address" and len({p.paid_to for p in own}) > 1
    paid_to = paid.paid_to if mode == "paid_to" or two_addresses or (mode == "tx_hash" and rng.random() < 0.3) else None
    name, contact = _victim(rng, lang)
    site = website.removeprefix("https://") if website else None
    text = _text(rng, lang, site, phone, app, when, how_much, txs, senders, paid_to, again=len(own) > 1)
    report = {"reference": reference, "chain": "anvil", "paid_at": paid_at, "amount": amount,
              "asset": paid.asset if paid.asset != "ETH" and rng.random() < 0.2 else paid.symbol,
              "tx_hashes": txs, "from_addresses": senders, "paid_to": paid_to, "website": website, "phone": phone,
              "app": app, "text": text, "language": lang, "victim": {"name": name, "contact": contact}, "tlp": "RED"}
    return Complaint(report, paid.victim, paid.tx_hash, mode, tuple(wrong))


def _when(rng: random.Random, paid: Payment, mode: str, lang: str, wrong: list[str],
          day_off: bool) -> tuple[str | None, str]:
    """paid_at as the victim gives it, and how the text says it ("3월 2일", "on 2 March")."""
    kind = "day_off" if day_off else rng.choices(["date", "time", "none"],
                                                 weights=[55, 35, 10 if mode == "tx_hash" else 0])[0]
    moment = dt.datetime.fromtimestamp(paid.timestamp, KST)
    if kind == "none":
        wrong.append("no date")
        return None, "며칠 전" if lang == "ko" else "a few days ago"
    if kind == "time":  # remembered to the hour or so
        moment = moment.replace(second=0) + dt.timedelta(minutes=rng.randint(-90, 90))
        moment -= dt.timedelta(minutes=moment.minute % 5)
        half = "오전" if moment.hour < 12 else "오후"
        ko = f"{moment.month}월 {moment.day}일 {half} {moment.hour % 12 or 12}시경"
        return moment.isoformat(), ko if lang == "ko" else f"on {moment.day} {moment:%B} at about {moment:%H:%M}"
    day = moment.date()
    if kind == "day_off":
        day += dt.timedelta(days=rng.choice([-1, 1]))
        wrong.append("date off by a day")
    return day.isoformat(), f"{day.month}월 {day.day}일" if lang == "ko" else f"on {day.day} {day:%B}"


def _how_much(rng: random.Random, paid: Payment, mode: str, lang: str, scam: Counterfeit,
              wrong: list[str], in_won: bool) -> tuple[str | None, str]:
    """The amount field and how the text says it (in the asset's units, rounded, misremembered or in won)."""
    kinds, weights = ["exact", "rounded", "misremembered", "none"], [30, 30, 35, 5]
    if mode == "paid_to":  # the amount is part of what finds the payment: never missing, at most 25% off
        kinds, weights = kinds[:3], weights[:3]
    kind = "won" if in_won else rng.choices(kinds, weights=weights)[0]
    units = paid.amount
    if kind == "rounded":
        units = _significant(units, 2)
        wrong.append("amount rounded")
    elif kind == "misremembered":
        pct = rng.randint(5, 24 if mode == "paid_to" else 29) * rng.choice([-1, 1])
        units = _significant(units * (100 + pct) // 100, 3)
        wrong.append(f"amount misremembered ({pct:+d}%)")
    elif kind == "won":
        won = _significant(units * scam.krw_per_coin[paid.symbol] // 10**paid.decimals, 2)
        wrong.append("amount in won, in the text only")
        if lang == "ko":
            return None, f"{won // 10_000:,}만 원어치 {paid.symbol}를" if won >= 10_000 else f"{won:,}원어치를"
        return None, f"about ₩{won:,} worth of {paid.symbol}"
    elif kind == "none":
        wrong.append("no amount")
        return None, f"{paid.symbol}를" if lang == "ko" else f"{paid.symbol} (I do not remember how much)"
    text = _decimal(units, paid.decimals)
    return text, f"{text} {paid.symbol}를" if lang == "ko" else f"{text} {paid.symbol}"


def _website(rng: random.Random, domain: str, wrong: list[str]) -> str | None:
    kind = rng.choices(["right", "transposed", "no_hyphen", "www", "none"], weights=[30, 30, 10, 10, 20])[0]
    if kind == "none":
        return None
    if kind == "transposed":  # two neighbouring letters of the name swapped, as typed from memory
        name, dot, tld = domain.partition(".")
        spots = [i for i in range(len(name) - 1) if name[i].isalpha() and name[i + 1].isalpha()
                 and name[i] != name[i + 1]]
        i = rng.choice(spots)
        domain = name[:i] + name[i + 1] + name[i] + name[i + 2:] + dot + tld
        wrong.append("website misspelt")
    elif kind == "no_hyphen":
        domain = domain.replace("-", "")
        wrong.append("website misspelt")
    elif kind == "www":
        domain = "www." + domain
    return "https://" + domain


def _victim(rng: random.Random, lang: str) -> tuple[str, str]:
    """A made-up Korean name, and a contact on numbers and domains no one holds."""
    (family, family_en), (a, a_en), (b, b_en) = rng.choice(_SURNAMES), *rng.sample(_SYLLABLES, 2)
    name = f"{family}{a}{b}" if lang == "ko" else f"{family_en} {a_en.capitalize()}-{b_en}"
    if rng.random() < 0.7:
        return name, f"+82 10-0000-{rng.randint(0, 9999):04d}"
    return name, f"{a_en}{b_en}.{family_en.lower()}{rng.randint(10, 99)}@example.com"


def _text(rng: random.Random, lang: str, site: str | None, phone: str | None, app: str | None, when: str,
          how_much: str, txs: list[str], senders: list[str], paid_to: str | None, *, again: bool) -> str:
    profit = rng.choice([38, 54, 120, 210, 300])
    if lang == "ko":
        where = f"'{app}' 앱" if app else "거래소 앱"
        parts = [f"{where} 상담센터라는 곳에서 전화{f'({phone})' if phone else ''}가 와서 코인 투자로 큰 수익을 "
                 f"보장한다고 했습니다." if rng.random() < 0.5 else
                 f"인터넷 광고를 보고 {site or '거래소'} 사이트에 가입했고 상담원이 리딩을 해 주겠다고 했습니다.",
                 f"{when} {how_much} 안내받은 입금 주소로 보냈습니다."]
        parts += [f"거래 해시: {', '.join(txs)}."] if txs else []
        parts += [f"제 지갑 주소는 {senders[0]}입니다."] if senders else []
        parts += [f"입금 주소: {paid_to}."] if paid_to else []
        parts += ["며칠 뒤 '출금 수수료'라며 한 번 더 보내라고 해서 또 보냈습니다."] if again else []
        parts.append(f"앱 화면에는 수익이 {profit}%까지 났다고 나왔는데 출금을 신청하자 세금을 먼저 내야 한다며 "
                     "거절했고 지금은 연락이 되지 않습니다.")
        return " ".join(parts)
    where = f"the '{app}' app" if app else "a trading app"
    parts = [f"Someone from the customer centre of {where} called me{f' from {phone}' if phone else ''} and "
             "promised guaranteed returns." if rng.random() < 0.5 else
             f"I signed up on {site or 'their website'} after an online ad; a 'consultant' told me what to trade.",
             f"{when[0].upper()}{when[1:]} I sent {how_much} to the deposit address they gave me."]
    parts += [f"Transaction hash: {', '.join(txs)}."] if txs else []
    parts += [f"My wallet address is {senders[0]}."] if senders else []
    parts += [f"The address I paid: {paid_to}."] if paid_to else []
    parts += ["A few days later they asked for a 'withdrawal fee' and I paid again."] if again else []
    parts.append(f"The app showed a profit of {profit}%, but when I asked to withdraw they demanded a tax "
                 "payment first and then stopped answering.")
    return " ".join(parts)


def _significant(units: int, digits: int) -> int:
    """`units` rounded (half up) to its leading `digits` digits: how people remember sums."""
    step = int(10 ** max(len(str(units)) - digits, 0))
    return (units + step // 2) // step * step


def _decimal(units: int, decimals: int) -> str:
    """Base units as a plain decimal in whole coins ("1.5", "40")."""
    return format(Decimal(units).scaleb(-decimals).normalize(), "f")
