"""The draft rule: which posts are drafts, and what a run without ``--drafts`` leaves out.

A post is a *draft* when its site would not publish it yet, whichever generator's way says
so: a file in a ``_drafts/`` folder (Jekyll; also when the file, or the folder, is given
alone), ``draft: true`` (Hugo, Zola, Eleventy's
usual data key, and what the WordPress reader sets for a password-protected post),
``published: false`` (Jekyll), a ``status`` that says the post is not out (WordPress's
``draft``, ``pending``, ``private``, ``future``, ``auto-draft``, ``trash``; also ``unpublished``,
``hidden``; any other status, such as a digital garden's ``seedling`` or a project's
``ongoing``, describes a published post), or what the site's generator never renders
(:meth:`~searcher.ingest.generators.Site.unpublished`: Hugo's headless bundles and
``build.render: never`` or ``list: never`` (an unlisted page) and pages past their
``expiryDate``, Zola's ``render = false``,
Eleventy's ``permalink: false``). Drafts are read and indexed only with ``--drafts``;
without it, ``_drafts/`` folders are not even walked.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from searcher.ingest import fields, sites
from searcher.models import Post

FOLDER = "_drafts"  # Jekyll's folder of drafts
# statuses of a post that is not out: WordPress's own, and the plain words for the same
_UNPUBLISHED = frozenset(
    "draft drafts pending private future scheduled auto-draft trash unpublished hidden".split()
)


def reason(rel: str, data: Mapping[str, Any], site: sites.View | None = None) -> str | None:
    """Why the post at ``rel`` (relative to its content folder) with front matter ``data``
    (the site's defaults included) is a draft; ``None`` when it is published."""
    if FOLDER in rel and FOLDER in PurePosixPath(rel).parts[:-1]:
        return f"in a {FOLDER}/ folder"
    found = front_matter_reason(data)
    if found is None and site is not None:
        found = site.site.unpublished(data)
    return found


def in_folder(folder: Path) -> bool:
    """Whether ``folder`` is or lies in a folder of drafts: the nearest ``_posts`` or
    ``_drafts`` around it is ``_drafts`` (a post file or a ``_drafts/`` folder given alone)."""
    for part in reversed(folder.parts):
        if part in ("_posts", FOLDER):
            return part == FOLDER
    return False


def front_matter_reason(data: Mapping[str, Any]) -> str | None:
    """Why front matter alone makes a post a draft (``None``: it does not)."""
    if fields.truthy(data.get("draft")):
        return "draft: true"
    if fields.truthy(data.get("published")) is False:
        return "published: false"
    status = data.get("status")
    written = status.strip() if isinstance(status, str) else ""
    return f"status: {written}" if written.lower() in _UNPUBLISHED else None


def excluded(post: Post, *, drafts: bool) -> bool:
    """Whether a run reading with ``drafts`` (``--drafts``) or without leaves ``post`` out."""
    return post.draft and not drafts


def skipped_folders(skipped: frozenset[str], *, drafts: bool) -> frozenset[str]:
    """The folder names a walk skips: ``skipped``, and drafts' folder unless ``drafts``."""
    return skipped - {FOLDER} if drafts else skipped | {FOLDER}
