package org.discoverweekly.etl.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.discoverweekly.etl.privacy.ForgetUser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code forget --user U}: erase a user everywhere, with an audit row that holds only a hash. */
@Command(
    name = "forget",
    mixinStandardHelpOptions = true,
    description = {
      "Erase user U: rows in bronze, silver, quarantine and gold (every week), the saved models",
      "of the weeks U was in, and U's playlists in Cassandra. Appends ops.forget_requests with",
      "the salted hash of U (salt from $DW_FORGET_SALT, forget.salt-env) and the rows removed;",
      "later ingests redact U's events. Run maintain afterwards: the deleted rows stay in older",
      "file versions until VACUUM's retention has passed."
    })
final class ForgetCommand implements Callable<Integer> {

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "U", description = "The user id.")
  String user;

  @Override
  public Integer call() {
    Pipeline pipeline = new Pipeline(root.config());
    String salt = pipeline.config().forget().salt();
    ForgetUser.Result result;
    // The lock file names the command; it must not name the user.
    try (var lock = pipeline.lockLake("forget")) {
      result =
          new ForgetUser(pipeline.lake(), pipeline.config().cassandra(), salt, pipeline.clock())
              .run(user);
    }
    PrintWriter out = spec.commandLine().getOut();
    TextTable table = new TextTable(List.of("where", "removed"));
    result.removed().forEach(table::add);
    table.print(out);
    out.println(
        "forget: request "
            + result.requestId()
            + " recorded in ops.forget_requests (user hash "
            + result.userHash().substring(0, 12)
            + "...); run maintain to delete the old file versions after the vacuum retention");
    return 0;
  }
}
