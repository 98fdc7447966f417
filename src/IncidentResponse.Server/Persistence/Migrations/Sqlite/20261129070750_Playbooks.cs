using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Playbooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "stored_playbooks",
                columns: table => new
                {
                    hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    playbook_id = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    yaml = table.Column<string>(type: "TEXT", nullable: false),
                    loaded_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stored_playbooks", x => x.hash);
                });

            migrationBuilder.CreateTable(
                name: "playbook_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    playbook_id = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    definition_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    finished_at = table.Column<long>(type: "INTEGER", nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_playbook_runs", x => x.id);
                    table.ForeignKey(
                        name: "fk_playbook_runs_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_playbook_runs_stored_playbooks_definition_hash",
                        column: x => x.definition_hash,
                        principalTable: "stored_playbooks",
                        principalColumn: "hash",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "run_steps",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    step_id = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ready_at = table.Column<long>(type: "INTEGER", nullable: true),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    completed_by = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 80, nullable: true),
                    approvals = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    note = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: true),
                    assignee_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    wake_at = table.Column<long>(type: "INTEGER", nullable: true),
                    team = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    automated = table.Column<bool>(type: "INTEGER", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_run_steps", x => new { x.run_id, x.step_id });
                    table.ForeignKey(
                        name: "fk_run_steps_playbook_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "playbook_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_playbook_runs_definition_hash",
                table: "playbook_runs",
                column: "definition_hash");

            migrationBuilder.CreateIndex(
                name: "ix_playbook_runs_incident_id_playbook_id",
                table: "playbook_runs",
                columns: new[] { "incident_id", "playbook_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_run_steps_status_wake_at",
                table: "run_steps",
                columns: new[] { "status", "wake_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "run_steps");

            migrationBuilder.DropTable(
                name: "playbook_runs");

            migrationBuilder.DropTable(
                name: "stored_playbooks");
        }
    }
}
