package org.discoverweekly.etl.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.discoverweekly.etl.report.RunReport.DateRow;
import org.discoverweekly.etl.report.RunReport.WeekRow;

/**
 * The run report as one self-contained HTML page: the numbers in tables, and the same numbers drawn
 * by Chart.js, whose bundle is inlined from its WebJar so the page needs no network.
 */
public final class ReportPage {

  private static final String CHART_JS_PROPERTIES =
      "META-INF/maven/org.webjars.npm/chart.js/pom.properties";

  private ReportPage() {}

  public static String html(RunReport report, String lake, Instant writtenAt) {
    StringBuilder page = new StringBuilder();
    page.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<title>discover-weekly: week ")
        .append(report.week())
        .append("</title>\n<style>")
        .append(resource("report/report.css"))
        .append("</style></head>\n<body>\n<h1>discover-weekly: week ")
        .append(report.week())
        .append("</h1>\n<p class=\"meta\">Lake ")
        .append(escape(lake))
        .append(", the ")
        .append(RunReport.WEEKS)
        .append(" weeks up to ")
        .append(report.week())
        .append("; written ")
        .append(writtenAt)
        .append(".</p>\n");
    dates(page, report.dates());
    weeks(page, report.weeks());
    page.append("<script>")
        .append(chartJs())
        .append("</script>\n<script>const REPORT = ")
        .append(json(data(report)).replace("</", "<\\/"))
        .append(";\n")
        .append(resource("report/report.js"))
        .append("</script>\n</body></html>\n");
    return page.toString();
  }

  private static void dates(StringBuilder page, List<DateRow> dates) {
    page.append("<section id=\"dates\"><h2>Listens and quarantined lines per arrival date</h2>\n")
        .append("<p>Listens as silver's data-quality check measured them; anomalous dates are")
        .append(" marked in red. Quarantined lines are every reason silver.quarantine holds,")
        .append(" forgotten_user too (lines of users erased on request), which the quarantine")
        .append(" rate leaves out.</p>\n")
        .append("<canvas id=\"dates-chart\" width=\"1100\" height=\"340\"></canvas>\n")
        .append("<table id=\"dates-table\"><thead><tr><th>date</th><th>listens</th>")
        .append("<th>quarantined</th><th>by reason</th><th>anomaly</th></tr></thead><tbody>\n");
    for (DateRow row : dates) {
      long quarantined = row.quarantined().values().stream().mapToLong(Long::longValue).sum();
      List<String> reasons = new ArrayList<>();
      row.quarantined().forEach((reason, lines) -> reasons.add(reason + " " + lines));
      page.append("<tr data-date=\"")
          .append(row.date())
          .append(row.state() == null ? "\">" : "\" class=\"anomalous\">")
          .append(cell("date", row.date()))
          .append(cell("listens", row.listens() == null ? "" : row.listens()))
          .append(cell("quarantined", quarantined))
          .append(cell("reasons", String.join(", ", reasons)))
          .append(
              cell(
                  "anomaly",
                  row.state() == null
                      ? ""
                      : row.state().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                          + ": "
                          + row.anomaly()))
          .append("</tr>\n");
    }
    page.append("</tbody></table></section>\n");
  }

  private static void weeks(StringBuilder page, List<WeekRow> weeks) {
    page.append("<section id=\"weeks\"><h2>Weeks</h2>\n")
        .append("<h3>Stage seconds per week</h3>\n")
        .append("<canvas id=\"stages-chart\" width=\"1100\" height=\"300\"></canvas>\n")
        .append("<h3>Backtest NDCG: ALS and popularity</h3>\n")
        .append("<canvas id=\"ndcg-chart\" width=\"1100\" height=\"300\"></canvas>\n")
        .append("<h3>Playlists served</h3>\n")
        .append("<canvas id=\"served-chart\" width=\"1100\" height=\"260\"></canvas>\n")
        .append("<table id=\"weeks-table\"><thead><tr><th>week</th>");
    for (String stage : RunReport.STAGES) {
      page.append("<th>").append(stage).append(" s</th>");
    }
    page.append("<th>ALS NDCG</th><th>popularity NDCG</th><th>playlists served</th>")
        .append("</tr></thead><tbody>\n");
    for (WeekRow row : weeks) {
      page.append("<tr data-week=\"")
          .append(row.week())
          .append("\">")
          .append(cell("week", row.week()));
      for (String stage : RunReport.STAGES) {
        Double seconds = row.stageSeconds().get(stage);
        page.append(
            cell(stage, seconds == null ? "" : String.format(Locale.ROOT, "%.1f", seconds)));
      }
      page.append(cell("als", ndcg(row.alsNdcg())))
          .append(cell("popularity", ndcg(row.popularityNdcg())))
          .append(cell("served", row.servedUsers() == null ? "" : row.servedUsers()))
          .append("</tr>\n");
    }
    page.append("</tbody></table></section>\n");
  }

  /** What the page's script draws, as JSON-ready maps and lists. */
  private static Map<String, Object> data(RunReport report) {
    TreeSet<String> reasons = new TreeSet<>();
    report.dates().forEach(row -> reasons.addAll(row.quarantined().keySet()));
    List<Map<String, Object>> dates = new ArrayList<>();
    for (DateRow row : report.dates()) {
      Map<String, Object> date = new LinkedHashMap<>();
      date.put("date", row.date().toString());
      date.put("listens", row.listens());
      date.put("quarantined", row.quarantined());
      date.put("anomaly", row.state() == null ? null : row.state().name());
      dates.add(date);
    }
    List<Map<String, Object>> weeks = new ArrayList<>();
    for (WeekRow row : report.weeks()) {
      Map<String, Object> week = new LinkedHashMap<>();
      week.put("week", row.week().toString());
      week.put("seconds", row.stageSeconds());
      week.put("als", row.alsNdcg());
      week.put("popularity", row.popularityNdcg());
      week.put("served", row.servedUsers());
      weeks.add(week);
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("reasons", List.copyOf(reasons));
    data.put("stages", RunReport.STAGES);
    data.put("dates", dates);
    data.put("weeks", weeks);
    return data;
  }

  private static String ndcg(Double value) {
    return value == null ? "" : String.format(Locale.ROOT, "%.4f", value);
  }

  private static String cell(String name, Object value) {
    return "<td class=\"" + name + "\">" + escape(String.valueOf(value)) + "</td>";
  }

  static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static String json(Object value) {
    try {
      return new ObjectMapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the report's data is not JSON: " + e.getMessage(), e);
    }
  }

  /** Chart.js's UMD bundle (with its license line), from the WebJar on the class path. */
  private static String chartJs() {
    Properties webjar = new Properties();
    try (InputStream in = open(CHART_JS_PROPERTIES)) {
      webjar.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String version = webjar.getProperty("version");
    return "/* Chart.js "
        + version
        + " (MIT License, https://www.chartjs.org) */\n"
        + resource("META-INF/resources/webjars/chart.js/" + version + "/dist/chart.umd.js")
            .replace("</script", "<\\/script");
  }

  private static String resource(String name) {
    try (InputStream in = open(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(String name) {
    InputStream in = ReportPage.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException(name + " is not on the class path (the application jar)");
    }
    return in;
  }
}
