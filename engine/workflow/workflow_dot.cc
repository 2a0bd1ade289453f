// The state graph of a workflow in Graphviz dot, for documentation and for reviewing a workflow
// file before deploying it (`dot -Tsvg`).
#include <map>
#include <sstream>

#include "disclose/workflow.h"

namespace disclose {
namespace {

// A dot double-quoted string. Newlines become the \n escape, which dot renders as a centred line
// break; the names and labels are otherwise passed through (dot reads UTF-8).
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace

std::string workflow_dot(const Workflow& workflow) {
  std::ostringstream out;
  out << "digraph " << quoted(workflow.name) << " {\n";
  out << "  rankdir=LR;\n";
  if (!workflow.title.empty()) {
    out << "  label=" << quoted(workflow.title + " (" + workflow.name + ")") << ";\n";
    out << "  labelloc=t;\n";
  }
  out << "  node [shape=ellipse];\n";

  for (const StateSpec& state : workflow.states) {
    std::string label = state.name;
    if (!state.label.empty()) label += "\n" + state.label;
    out << "  " << quoted(state.name) << " [label=" << quoted(label);
    if (state.terminal) {
      out << ", shape=doublecircle";
    } else if (!state.open) {
      // Closed but not sealed (办结): still editable, so keep it visually apart from open states.
      out << ", style=filled, fillcolor=lightgrey";
    }
    out << "];\n";
  }

  if (const ActionSpec* creating = workflow.creating_action(); creating && creating->to) {
    out << "  \"__start\" [shape=point, style=invis];\n";
    out << "  \"__start\" -> " << quoted(*creating->to) << " [label=" << quoted(creating->name)
        << "];\n";
  }

  // Actions that stay in place (notes, assignments, extensions) apply to many states; one dashed
  // self-loop per state listing them keeps the graph readable instead of a tangle of loops.
  std::map<std::string, std::vector<std::string>> stays;
  for (const ActionSpec& action : workflow.actions) {
    if (action.creates_case) continue;
    for (const std::string& from : action.from) {
      if (action.to) {
        out << "  " << quoted(from) << " -> " << quoted(*action.to)
            << " [label=" << quoted(action.name) << "];\n";
      } else {
        stays[from].push_back(action.name);
      }
    }
  }
  for (const StateSpec& state : workflow.states) {
    auto it = stays.find(state.name);
    if (it == stays.end()) continue;
    std::string label;
    for (const std::string& name : it->second) label += (label.empty() ? "" : "\n") + name;
    out << "  " << quoted(state.name) << " -> " << quoted(state.name)
        << " [style=dashed, label=" << quoted(label) << "];\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace disclose
