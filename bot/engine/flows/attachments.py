"""Photos, voice notes, documents and locations, at any moment of the conversation.

The turn never waits on the network: what the provider declared too big or of a type not
taken is refused at once (and kept as a `refused` row, so staff see it); the rest is recorded
(`complaints.attachments`) for the downloader and acknowledged. Where it goes: the complaint
being filed (held, tied when filed), else the customer's newest open complaint, else it is
held and a complaint begins. A location shared while the area or address is asked stands for
them (flows/complaint.located).
"""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.flows import complaint
from channels.media import MediaPolicy
from channels.messages import Media
from complaints.attachments import record_file, record_location, record_refused
from complaints.service import add_customer_message, open_complaints
from db.models import Complaint

PLACE_STEPS = frozenset({"area", "address"})


def take(ctx: Context) -> bool:
    """Record what the message carries besides text; True when nothing is left to answer."""
    inbound = ctx.inbound
    place = inbound.location if ctx.contact.flow in (None, "complaint") else None
    if not inbound.media and place is None:
        return False
    filing = ctx.contact.flow == "complaint"
    target = None if filing else _open_complaint(ctx)
    files = _files(ctx, target)
    taken = [media.kind for media in files]
    if place is not None:
        record_location(
            session=ctx.session,
            contact_id=ctx.contact.id,
            complaint_id=target.id if target else None,
            place=place,
            now=ctx.now,
        )
        if filing and ctx.contact.step in PLACE_STEPS:
            _acknowledge(ctx, taken, target, filing)
            complaint.located(ctx, place)
            return True
        taken.append("location")
    _acknowledge(ctx, taken, target, filing)
    return _answered(ctx, files, target, filing, located=place is not None)


def _begin_complaint(ctx: Context, files: list[Media]) -> None:
    """A file with nothing else and no complaint to go to: a complaint begins, holding it."""
    complaint.start(ctx)
    for media in files:
        _remember_photo(ctx, media)


def _files(ctx: Context, target: Complaint | None) -> list[Media]:
    """Refuse what was declared too big or of a wrong type; record the rest, returned."""
    policy = MediaPolicy.from_settings(ctx.settings)
    taken: list[Media] = []
    for media in ctx.inbound.media:
        reason = policy.refusal(media)
        if reason is not None:
            record_refused(
                session=ctx.session,
                contact_id=ctx.contact.id,
                complaint_id=target.id if target else None,
                media=media,
                reason=reason,
                limit_bytes=policy.max_bytes,
                now=ctx.now,
            )
            ctx.say(ctx.t(f"media.refused_{reason}", limit=policy.limit_mb))
            continue
        record_file(
            session=ctx.session,
            contact_id=ctx.contact.id,
            complaint_id=target.id if target else None,
            media=media,
            now=ctx.now,
        )
        _remember_photo(ctx, media)
        taken.append(media)
    return taken


def _remember_photo(ctx: Context, media: Media) -> None:
    """The draft's summary names what is attached (and the complaint keeps a photo's reference)."""
    if ctx.contact.flow != "complaint":
        return
    kinds = ctx.data.setdefault("attached", [])
    if media.kind not in kinds:
        kinds.append(media.kind)
    if media.kind == "photo":
        ctx.data.setdefault("media", media.ref)


def _open_complaint(ctx: Context) -> Complaint | None:
    found = open_complaints(session=ctx.session, contact_id=ctx.contact.id, limit=1)
    return found[0] if found else None


def _acknowledge(ctx: Context, taken: list[str], target: Complaint | None, filing: bool) -> None:
    if not taken:
        return
    what = ", ".join(dict.fromkeys(ctx.t(f"media_kind.{kind}") for kind in taken))
    if target is not None:
        ctx.complaint_id = target.id  # the message shows in the complaint's transcript too
        ctx.say(ctx.t("media.attached", what=what, ticket=target.ticket_number))
    elif filing and ctx.contact.step != "duplicate":
        ctx.preface(ctx.t("media.added_to_draft", what=what))  # opens the next question
    elif filing:
        ctx.say(ctx.t("media.added_to_draft", what=what))
    else:
        ctx.preface(ctx.t("media.held", what=what))


def _answered(
    ctx: Context, files: list[Media], target: Complaint | None, filing: bool, *, located: bool
) -> bool:
    """Whether the turn is done. On an open complaint a caption is noted with the file; while
    filing, a caption or a photo answering the description question goes on to the step; a
    file with nothing else, and no complaint to go to, begins one."""
    if target is not None:
        if ctx.text:
            add_customer_message(session=ctx.session, complaint=target, text=ctx.text, now=ctx.now)
        return True
    if filing:
        if ctx.text or ctx.contact.step == "description":
            return False
        complaint.ask_current(ctx)
        return True
    if ctx.text:
        return False
    if files or located:
        _begin_complaint(ctx, files)
    return True
