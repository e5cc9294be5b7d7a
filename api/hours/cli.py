"""``flask hours ...``: operator commands of the hours ledger (registered on the blueprint)."""

import click
from flask.cli import with_appcontext

from api.hours import lookup, reports


@click.command("rebuild-lookup-keys")
@with_appcontext
def rebuild_lookup_keys():
    """Recompute every volunteer's public-lookup keys (after rotating DATA_KEY)."""
    count = lookup.rebuild_keys()
    click.echo(f"已更新 {count} 名志愿者的查询索引")


@click.command("export-national")
@click.option("--unit", "unit_code", required=True, help="单位编码，含下级单位（如 LY-JL）")
@click.option(
    "--from",
    "first",
    required=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help="开始日期（含），YYYY-MM-DD",
)
@click.option(
    "--to",
    "last",
    required=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help="结束日期（含），YYYY-MM-DD",
)
@click.option(
    "--output",
    type=click.File("w", encoding="utf-8-sig"),
    default="-",
    help="输出 CSV 文件（默认标准输出）",
)
@click.option("--operator", required=True, help="操作人（记入审计日志）")
@click.option("--reason", required=True, help="导出原因（记入审计日志）")
@with_appcontext
def export_national(unit_code, first, last, output, operator, reason):
    """Export approved records in the national volunteer system's fields (unmasked,
    audit-logged)."""
    from api.errors import ApiError

    try:
        count = reports.national_export(
            unit_code, first.date(), last.date(), output, operator, reason
        )
    except ApiError as exc:
        raise click.ClickException(exc.message) from exc
    # The count goes to stderr when the CSV itself goes to stdout.
    click.echo(f"已导出 {count} 条记录", err=output.name == "<stdout>")


COMMANDS = (rebuild_lookup_keys, export_national)
