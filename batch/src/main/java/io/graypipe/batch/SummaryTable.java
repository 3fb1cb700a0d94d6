package io.graypipe.batch;

import io.graypipe.batch.BatchReport.ModeComparison;
import io.graypipe.batch.BatchReport.PassReport;

import java.util.ArrayList;
import java.util.List;

/** The report as the text table printed at the end of a run. */
final class SummaryTable {
    private SummaryTable() {
    }

    static String render(BatchReport report) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"mode", "variant", "images", "ok", "failed", "skipped", "not done", "wall s",
                "ms/image", "img/s", "cores busy", "cache hits"});
        for (PassReport pass : report.passes()) {
            rows.add(new String[] {pass.mode() == null ? "default" : pass.mode(), pass.variant(),
                    Long.toString(pass.images()), Long.toString(pass.succeeded()), Long.toString(pass.failed()),
                    Long.toString(pass.skippedExisting()), Long.toString(pass.notDone()),
                    String.format("%.2f", pass.wallSeconds()), number(pass.msPerImage(), "%.1f"),
                    number(pass.imagesPerSecond(), "%.2f"), number(pass.cpuCoresBusy(), "%.2f"),
                    Long.toString(pass.cacheHits())});
        }
        StringBuilder text = new StringBuilder(table(rows));
        if (!report.threadsVsProcesses().isEmpty()) {
            List<String[]> ratios = new ArrayList<>();
            ratios.add(new String[] {"variant", "threads img/s", "processes img/s", "threads/processes"});
            for (ModeComparison comparison : report.threadsVsProcesses()) {
                ratios.add(new String[] {comparison.variant(), number(comparison.threadsImagesPerSecond(), "%.2f"),
                        number(comparison.processesImagesPerSecond(), "%.2f"), number(comparison.ratio(), "%.2f")});
            }
            text.append('\n').append(table(ratios));
        }
        text.append("\ncores busy: ").append(report.cpuSource()).append('\n');
        return text.toString();
    }

    private static String number(Double value, String format) {
        return value == null ? "-" : String.format(format, value);
    }

    /** Left-aligned text columns, right-aligned figures, two spaces between. */
    private static String table(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                boolean textColumn = i < 2 && row.length > 4 || i == 0;
                String format = "%" + (textColumn ? "-" : "") + widths[i] + "s";
                line.append(i == 0 ? "" : "  ").append(String.format(format, row[i]));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }
}
