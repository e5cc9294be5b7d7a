"""``flask wechat-stub``."""

import click

from api.wechat.stub import WeChatStubServer


@click.command("wechat-stub")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8081, show_default=True, help="Port to listen on.")
@click.option("--verbose", is_flag=True, help="Log every request.")
def wechat_stub(host: str, port: int, verbose: bool) -> None:
    """Serve a local imitation of the WeChat API for demos and tests."""
    server = WeChatStubServer(host, port, verbose=verbose)
    click.echo(f"WeChat stub on {server.base_url} (set WECHAT_API_BASE to it)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
