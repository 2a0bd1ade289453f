// disclose workflow check | dot | list
#include <iostream>

#include "disclose/commands.h"

namespace disclose::cli {

void add_workflow_commands(CLI::App& app, Context& context, Io& io) {
  auto* workflow = app.add_subcommand("workflow", "workflow files");
  workflow->require_subcommand(1);

  auto* check = workflow->add_subcommand("check", "validate workflow files; errors as file:line");
  auto files = std::make_shared<std::vector<std::string>>();
  check->add_option("files", *files, "workflow YAML files")->required();
  check->callback([&io, files] {
    int failures = 0;
    for (const auto& path : *files) {
      WorkflowLoad load = load_workflow_file(path);
      if (!load.errors.empty()) {
        ++failures;
        for (const auto& e : load.errors) io.err << e.str() << "\n";
        continue;
      }
      const Workflow& w = *load.workflow;
      io.out << path << ": ok (" << w.name << ": " << w.states.size() << " states, "
             << w.actions.size() << " actions, " << w.deadlines.size() << " deadlines)\n";
    }
    if (failures) throw CliError(1, std::to_string(failures) + " invalid workflow file(s)");
  });

  auto* dot = workflow->add_subcommand("dot", "print a workflow's state graph as Graphviz dot");
  auto name = std::make_shared<std::string>();
  dot->add_option("name", *name, "workflow name")->required();
  dot->callback([&context, &io, name] {
    const Workflow* w = context.workflows().find(*name);
    if (!w) throw CliError(1, "no workflow named '" + *name + "'");
    io.out << workflow_dot(*w);
  });

  auto* list = workflow->add_subcommand("list", "the loaded workflows");
  list->callback([&context, &io] {
    for (const auto& n : context.workflows().names()) {
      const Workflow* w = context.workflows().find(n);
      io.out << n << "\t" << w->title << "\t" << w->source_file << "\n";
    }
  });
}

}  // namespace disclose::cli
