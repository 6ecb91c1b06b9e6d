package dev.jdgram.examples.syslog;

/**
 * One syslog message, from either wire format: RFC 5424 (version 1) or the older BSD format of
 * RFC 3164. Fields a format or a sender leaves out are null ({@code "-"} in RFC 5424 is "no
 * value").
 *
 * @param format {@code "RFC5424"} or {@code "RFC3164"}
 * @param facility 0 (kern) to 23 (local7): PRI divided by 8
 * @param severity 0 (emerg) to 7 (debug): PRI modulo 8
 * @param timestamp the time as the sender wrote it (not parsed: RFC 3164's has no year or zone)
 * @param hostname the sender's host name
 * @param appName RFC 5424's APP-NAME, or RFC 3164's TAG
 * @param procId RFC 5424's PROCID, or the {@code [pid]} after an RFC 3164 tag
 * @param msgId RFC 5424's MSGID (null in RFC 3164)
 * @param structuredData RFC 5424's STRUCTURED-DATA as written, {@code [id k="v"]...} (null if none)
 * @param message the free-form text
 */
public record SyslogMessage(String format, int facility, int severity, String timestamp,
    String hostname, String appName, String procId, String msgId, String structuredData,
    String message) {

  private static final String[] FACILITIES = {
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
    "authpriv", "ftp", "ntp", "audit", "alert", "clock",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"
  };
  private static final String[] SEVERITIES = {
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
  };

  /** @return the facility's name as logger(1) and syslog.conf(5) spell it ({@code local3}) */
  public String facilityName() {
    return FACILITIES[facility];
  }

  /** @return the severity's name as logger(1) spells it ({@code warning}) */
  public String severityName() {
    return SEVERITIES[severity];
  }

  @Override
  public String toString() {
    return facilityName() + "." + severityName() + " " + (hostname == null ? "-" : hostname)
        + " " + (appName == null ? "-" : appName) + (procId == null ? "" : "[" + procId + "]")
        + ": " + message;
  }
}
