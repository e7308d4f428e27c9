"""Generate the error-code knowledge base and its labelled retrieval set.

Many short troubleshooting articles that look alike (same families, shared boilerplate) and
differ in the exact code or the Chinese message: the case where an embedding alone confuses
0x80070005 with 0x80070057 and keyword search keeps them apart. Run from anywhere:

    python examples/error-codes/make_samples.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent

# family: (title prefix, generic closing steps)
FAMILIES = {
    "win": ("Windows error", ["Restart the computer and try again.",
                              "If it still fails, run `sfc /scannow` in an administrator prompt."]),
    "net": ("Chrome error", ["Reload the page; try another browser or network to compare.",
                             "Clear the browser cache and restart the browser."]),
    "errno": ("System error", ["Read the full message for the path or address involved.",
                               "Retry the command after the fix."]),
    "zh": ("常见错误", ["重启电脑后再试一次。", "如果仍然失败，请联系管理员并提供完整的错误信息。"]),
}

# (family, code or message, what it means, cause, two specific steps, query)
ARTICLES = [
    ("win", "0x80070005", "Access is denied", "the account lacks permission on a file, folder or "
     "registry key", ["Run the program as administrator.", "Take ownership of the folder in "
     "Properties > Security."], "Setup stopped with error code 0x80070005"),
    ("win", "0x80070002", "The system cannot find the file specified", "a file the installer "
     "expects was deleted or never downloaded", ["Delete the SoftwareDistribution download "
     "folder.", "Download the installer again."], "update failed 0x80070002"),
    ("win", "0x80070003", "The system cannot find the path specified", "a folder in the path "
     "does not exist", ["Create the missing folder.", "Check the path for typos."],
     "error 0x80070003 when copying"),
    ("win", "0x80070057", "The parameter is incorrect", "a program passed an invalid value, "
     "often a damaged partition or a bad regional setting", ["Check the disk with `chkdsk /f`.",
     "Reset the decimal symbol in regional settings to a dot."], "backup fails: 0x80070057"),
    ("win", "0x8007000E", "Not enough memory resources are available", "the process ran out of "
     "memory", ["Close other programs.", "Increase the page file size."],
     "0x8007000E during install"),
    ("win", "0x80070020", "The process cannot access the file because it is being used by "
     "another process", "another program holds the file open", ["Close the program using the "
     "file.", "Stop the antivirus scan for a moment."], "0x80070020 file in use"),
    ("win", "0x80070070", "There is not enough space on the disk", "the system drive is full",
     ["Run Disk Cleanup.", "Move large files to another drive."], "upgrade error 0x80070070"),
    ("win", "0x800F081F", "The source files could not be found", "Windows cannot find the "
     "files to enable a feature such as .NET Framework 3.5", ["Mount the installation ISO.",
     "Run DISM with /Source pointing at the ISO."], "DISM 0x800f081f .NET 3.5"),
    ("win", "0x80073712", "A file that Windows Update needs is damaged or missing",
     "the component store is corrupted", ["Run `DISM /Online /Cleanup-Image /RestoreHealth`.",
     "Install the update again."], "0x80073712 windows update"),
    ("win", "0x8024402C", "Windows Update cannot connect", "a proxy or firewall blocks the "
     "update servers", ["Reset the proxy with `netsh winhttp reset proxy`.", "Allow the update "
     "servers in the firewall."], "0x8024402c"),
    ("win", "0x80240034", "The update failed to download", "the download was interrupted",
     ["Run the Windows Update troubleshooter.", "Clear the download cache."],
     "update stuck then 0x80240034"),
    ("win", "0x80004005", "Unspecified error", "a generic failure, often a damaged archive "
     "or a blocked network share", ["Extract the archive with another tool.", "Enable SMB "
     "client access to the share."], "0x80004005 unspecified error opening share"),
    ("win", "0xC000021A", "A critical system process died", "Winlogon or CSRSS stopped, "
     "usually after a bad driver or update", ["Boot into Safe Mode.", "Uninstall the latest "
     "update."], "blue screen 0xc000021a"),
    ("win", "0xC0000005", "Access violation", "the application read memory it does not own",
     ["Update or reinstall the application.", "Turn off Data Execution Prevention for it only "
     "if the vendor says so."], "app crashes with exception 0xc0000005"),
    ("win", "0x8007045D", "The request could not be performed because of an I/O device error",
     "the disk or USB drive has bad sectors or a loose cable", ["Change the cable or port.",
     "Copy the data off and replace the drive."], "copy fails 0x8007045D"),
    ("win", "0x80070643", "Fatal error during installation", "the MSI installer or .NET "
     "Framework is damaged", ["Repair .NET Framework with the repair tool.", "Reinstall the "
     "update."], "Installation Failed with error 0x80070643"),
    ("win", "0x80070422", "The service cannot be started because it is disabled", "the "
     "Windows Update service is disabled", ["Set Windows Update service to Manual in "
     "services.msc.", "Start the service."], "0x80070422 update service"),
    ("win", "0x80072EE7", "The server name or address could not be resolved", "DNS cannot "
     "resolve the update or store server", ["Set the DNS server to 8.8.8.8.", "Flush DNS with "
     "`ipconfig /flushdns`."], "Microsoft Store 0x80072EE7"),
    ("win", "0x80072EFD", "A connection with the server could not be established", "the "
     "network blocks the store servers", ["Turn off the VPN.", "Check the date and time."],
     "0x80072efd store"),
    ("win", "0x8007007E", "The specified module could not be found", "a DLL the program loads "
     "is missing", ["Reinstall the Visual C++ Redistributable.", "Reinstall the program."],
     "LoadLibrary failed 0x8007007e"),
    ("net", "ERR_CONNECTION_REFUSED", "This site can't be reached: refused to connect",
     "nothing listens on that port or a firewall rejects it", ["Start the server.", "Check the "
     "port number in the address."], "net::ERR_CONNECTION_REFUSED"),
    ("net", "ERR_CONNECTION_RESET", "The connection was reset", "something between you and the "
     "site dropped the connection", ["Reset Winsock with `netsh winsock reset`.", "Turn off "
     "the VPN."], "ERR_CONNECTION_RESET"),
    ("net", "ERR_CONNECTION_TIMED_OUT", "The site took too long to respond", "the server is "
     "down or unreachable", ["Check the server is up.", "Remove the proxy setting."],
     "ERR_CONNECTION_TIMED_OUT loading intranet"),
    ("net", "ERR_CONNECTION_CLOSED", "The site unexpectedly closed the connection", "the server "
     "closed the connection without a response", ["Check the server logs.", "Disable the "
     "antivirus HTTPS scanning."], "ERR_CONNECTION_CLOSED"),
    ("net", "ERR_NAME_NOT_RESOLVED", "The server IP address could not be found", "DNS cannot "
     "resolve the host name", ["Check the spelling of the host.", "Change the DNS server."],
     "ERR_NAME_NOT_RESOLVED"),
    ("net", "ERR_INTERNET_DISCONNECTED", "No internet", "the computer is offline", ["Reconnect "
     "Wi-Fi or the cable.", "Restart the router."], "ERR_INTERNET_DISCONNECTED"),
    ("net", "ERR_SSL_PROTOCOL_ERROR", "This site can't provide a secure connection", "the TLS "
     "handshake failed", ["Clear the SSL state.", "Check the server's TLS configuration."],
     "ERR_SSL_PROTOCOL_ERROR"),
    ("net", "ERR_CERT_AUTHORITY_INVALID", "Your connection is not private: authority invalid",
     "the certificate is self-signed or its issuer is not trusted", ["Install the company root "
     "certificate.", "Use a certificate from a public CA."], "NET::ERR_CERT_AUTHORITY_INVALID"),
    ("net", "ERR_CERT_COMMON_NAME_INVALID", "Your connection is not private: name mismatch",
     "the certificate does not list the host name", ["Add the host to the certificate's "
     "subject alternative names.", "Open the site by its proper name."],
     "ERR_CERT_COMMON_NAME_INVALID"),
    ("net", "ERR_TOO_MANY_REDIRECTS", "This page isn't working: redirected you too many times",
     "a redirect loop, often HTTP<->HTTPS", ["Delete the site's cookies.", "Fix the redirect "
     "rules on the server."], "ERR_TOO_MANY_REDIRECTS"),
    ("net", "ERR_EMPTY_RESPONSE", "The site didn't send any data", "the server closed the "
     "connection with no data", ["Check the server process.", "Restart the web server."],
     "ERR_EMPTY_RESPONSE"),
    ("net", "ERR_ADDRESS_UNREACHABLE", "The address is unreachable", "no route to the host",
     ["Check the network route.", "Connect to the right network."], "ERR_ADDRESS_UNREACHABLE"),
    ("net", "ERR_PROXY_CONNECTION_FAILED", "No internet: there is something wrong with the "
     "proxy server", "the configured proxy is down", ["Turn off the proxy in settings.",
     "Ask IT for the right proxy."], "ERR_PROXY_CONNECTION_FAILED"),
    ("net", "ERR_NETWORK_CHANGED", "Your connection was interrupted: a network change was "
     "detected", "the network switched during loading", ["Reload the page.", "Disable unused "
     "network adapters."], "ERR_NETWORK_CHANGED"),
    ("net", "ERR_BLOCKED_BY_CLIENT", "Blocked by the browser", "an extension such as an ad "
     "blocker blocked the request", ["Disable the extension for the site.", "Whitelist the "
     "site."], "ERR_BLOCKED_BY_CLIENT"),
    ("net", "ERR_CACHE_MISS", "Confirm form resubmission", "the page was posted and is not "
     "cached", ["Reload and confirm.", "Use the POST-redirect-GET pattern on the site."],
     "ERR_CACHE_MISS"),
    ("errno", "ECONNREFUSED", "Connection refused", "no process listens at the address",
     ["Start the service.", "Check host and port."], "Error: connect ECONNREFUSED 127.0.0.1:5432"),
    ("errno", "ECONNRESET", "Connection reset by peer", "the other side closed the connection",
     ["Retry with backoff.", "Raise the server's keep-alive timeout."], "read ECONNRESET"),
    ("errno", "ETIMEDOUT", "Operation timed out", "the remote host did not answer in time",
     ["Check the firewall.", "Increase the timeout."], "connect ETIMEDOUT 10.0.0.5:443"),
    ("errno", "EADDRINUSE", "Address already in use", "another process listens on the port",
     ["Find it with `lsof -i :PORT`.", "Stop it or pick another port."],
     "Error: listen EADDRINUSE: address already in use :::3000"),
    ("errno", "ENOENT", "No such file or directory", "the path does not exist",
     ["Check the working directory.", "Create the file or fix the path."],
     "ENOENT: no such file or directory, open 'config.json'"),
    ("errno", "EACCES", "Permission denied", "the user lacks permission", ["Fix ownership with "
     "`chown`.", "Do not run the tool with sudo by habit."], "EACCES: permission denied"),
    ("errno", "EPERM", "Operation not permitted", "the operation needs privileges or the file "
     "is locked", ["Close programs locking the file.", "Run with the required privileges."],
     "EPERM: operation not permitted, unlink"),
    ("errno", "EMFILE", "Too many open files", "the process hit its file descriptor limit",
     ["Raise `ulimit -n`.", "Close files you no longer need."], "EMFILE: too many open files"),
    ("errno", "ENOSPC", "No space left on device", "the file system or its inodes are full",
     ["Delete files.", "Raise `fs.inotify.max_user_watches` if it is the watcher limit."],
     "ENOSPC: System limit for number of file watchers reached"),
    ("errno", "EPIPE", "Broken pipe", "the reader of a pipe or socket went away", ["Handle "
     "SIGPIPE.", "Check the consumer did not crash."], "write EPIPE"),
    ("errno", "EHOSTUNREACH", "No route to host", "the host is unreachable from this network",
     ["Check the routing table.", "Check the host is up."], "connect EHOSTUNREACH 192.168.1.20"),
    ("errno", "ENOTFOUND", "DNS lookup failed", "getaddrinfo could not resolve the host",
     ["Check the host name.", "Check DNS settings."], "getaddrinfo ENOTFOUND registry.local"),
    ("errno", "EEXIST", "File exists", "the target already exists", ["Remove the old file.",
     "Use the overwrite option."], "EEXIST: file already exists, mkdir 'build'"),
    ("errno", "EROFS", "Read-only file system", "the file system is mounted read-only",
     ["Remount read-write.", "Check the disk for errors."], "EROFS: read-only file system"),
    ("zh", "找不到指定的模块", "程序启动时报错：找不到指定的模块", "程序依赖的 DLL 缺失或路径不对",
     ["重新安装 Visual C++ 运行库。", "重新安装该程序。"], "打开软件提示找不到指定的模块怎么办"),
    ("zh", "拒绝访问", "打开文件夹时提示：拒绝访问", "当前账户没有该文件夹的权限",
     ["在属性-安全中获取所有权。", "以管理员身份运行。"], "访问文件夹时显示拒绝访问"),
    ("zh", "磁盘空间不足", "保存文件时提示：磁盘空间不足", "系统盘已满",
     ["运行磁盘清理。", "把大文件移到其他磁盘。"], "电脑提示磁盘空间不足"),
    ("zh", "网络连接超时", "下载时提示：网络连接超时", "网络不稳定或服务器无响应",
     ["切换到其他网络。", "稍后重试下载。"], "下载总是网络连接超时"),
    ("zh", "证书已过期", "浏览器提示：此网站的安全证书已过期", "网站证书过期或电脑时间错误",
     ["校准电脑的日期和时间。", "通知网站管理员更新证书。"], "网页显示证书已过期"),
    ("zh", "内存不足", "运行程序时提示：内存不足，无法完成操作", "可用内存不够",
     ["关闭其他程序。", "增加虚拟内存。"], "软件运行时提示内存不足"),
    ("zh", "文件已损坏", "打开文档时提示：文件已损坏，无法打开", "文件下载不完整或保存时出错",
     ["用软件自带的修复功能打开。", "从备份恢复文件。"], "文档打不开提示文件已损坏"),
    ("zh", "端口被占用", "启动服务时提示：端口被占用", "另一个程序正在使用该端口",
     ["用 `netstat -ano` 查找占用端口的进程。", "结束该进程或换一个端口。"], "启动时说端口被占用"),
    ("zh", "无法连接到打印机", "打印时提示：Windows 无法连接到打印机", "打印服务停止或驱动损坏",
     ["重启 Print Spooler 服务。", "重新安装打印机驱动。"], "电脑无法连接到打印机"),
    ("zh", "应用程序无法正常启动", "提示：应用程序无法正常启动(0xc000007b)",
     "32 位和 64 位运行库混用", ["安装 DirectX 修复工具。", "重新安装 32 位和 64 位运行库。"],
     "游戏打开提示应用程序无法正常启动"),
    ("zh", "此应用无法在你的电脑上运行", "提示：此应用无法在你的电脑上运行",
     "程序与系统版本或架构不兼容", ["下载与系统匹配的版本。", "使用兼容模式运行。"],
     "安装包双击后说此应用无法在你的电脑上运行"),
    ("zh", "系统找不到指定的路径", "运行命令时提示：系统找不到指定的路径", "路径中的文件夹不存在",
     ["检查路径是否拼写正确。", "创建缺失的文件夹。"], "命令行提示系统找不到指定的路径"),
    ("zh", "无法访问此网站", "浏览器提示：无法访问此网站", "网站宕机或 DNS 无法解析",
     ["检查网址是否正确。", "更换 DNS 服务器。"], "浏览器打不开网页显示无法访问此网站"),
    ("zh", "DNS 服务器未响应", "网络诊断提示：DNS 服务器未响应", "DNS 服务器不可用",
     ["把 DNS 改为 114.114.114.114。", "重启路由器。"], "网络诊断说DNS服务器未响应"),
    ("zh", "另一个程序正在使用此文件", "删除文件时提示：另一个程序正在使用此文件",
     "文件被其他进程打开", ["关闭正在使用该文件的程序。", "重启后再删除。"],
     "删不掉文件提示另一个程序正在使用此文件"),
    ("zh", "目录名称无效", "打开文件夹时提示：目录名称无效", "目录路径不存在或含非法字符",
     ["检查目录名称。", "修复快捷方式的目标路径。"], "双击快捷方式提示目录名称无效"),
    ("zh", "参数错误", "访问移动硬盘时提示：参数错误", "分区表损坏",
     ["用 `chkdsk /f` 检查磁盘。", "用数据恢复软件先备份数据。"], "移动硬盘打不开提示参数错误"),
    ("zh", "设备未就绪", "打开 U 盘时提示：设备未就绪", "U 盘接触不良或损坏",
     ["换一个 USB 接口。", "在磁盘管理中检查 U 盘。"], "插上U盘提示设备未就绪"),
    ("zh", "找不到网络路径", "访问共享文件夹时提示：找不到网络路径", "共享主机不可达或共享被关闭",
     ["确认两台电脑在同一网络。", "在对方电脑上启用文件共享。"], "访问共享盘提示找不到网络路径"),
]


def slug(family: str, code: str, index: int) -> str:
    ascii_part = re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-")
    return f"{family}-{ascii_part or f'{index:02d}'}.md"


def article(family: str, code: str, meaning: str, cause: str, steps: list[str]) -> str:
    prefix, generic = FAMILIES[family]
    numbered = "\n".join(f"{n}. {s}" for n, s in enumerate([*steps, *generic], start=1))
    if family == "zh":
        return (f"# {prefix}：{code}\n\n错误信息：{meaning}\n\n原因：{cause}。\n\n"
                f"解决步骤：\n{numbered}\n")
    return (f"# {prefix} {code}: {meaning}\n\nError text: `{code}` {meaning}.\n\n"
            f"Cause: {cause}.\n\nFix:\n{numbered}\n")


def main() -> None:
    kb = HERE / "kb"
    kb.mkdir(exist_ok=True)
    lines = []
    for index, (family, code, meaning, cause, steps, query) in enumerate(ARTICLES):
        name = slug(family, code, index)
        (kb / name).write_text(article(family, code, meaning, cause, steps), encoding="utf-8")
        kind = "chinese" if family == "zh" else "identifier"
        # the user's own words, then the bare code / message as pasted from a dialog
        bare = f"{code} 怎么解决" if family == "zh" else code
        for suffix, question in (("a", query), ("b", bare)):
            lines.append(json.dumps({"id": f"q{index + 1:02d}{suffix}", "question": question,
                                     "expected": f"kb/{name}", "kind": kind},
                                    ensure_ascii=False))
    (HERE / "queries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(ARTICLES)} articles in {kb}, {len(lines)} queries")


if __name__ == "__main__":
    main()
