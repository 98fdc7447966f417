using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Notifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "assessment_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    rules_version = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    facts_json = table.Column<string>(type: "TEXT", nullable: false),
                    result_json = table.Column<string>(type: "TEXT", nullable: false),
                    run_by = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_assessment_runs", x => x.id);
                    table.ForeignKey(
                        name: "fk_assessment_runs_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "incident_facts",
                columns: table => new
                {
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    json = table.Column<string>(type: "TEXT", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incident_facts", x => x.incident_id);
                    table.ForeignKey(
                        name: "fk_incident_facts_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "incident_obligations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 160, nullable: false),
                    regime = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    obligation_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    recipient = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    scope = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    authority = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    due_by = table.Column<long>(type: "INTEGER", nullable: true),
                    due_date = table.Column<string>(type: "TEXT", nullable: true),
                    standard = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    clock_start = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    clock_start_at = table.Column<long>(type: "INTEGER", nullable: true),
                    tolled_days = table.Column<int>(type: "INTEGER", nullable: false),
                    residents = table.Column<long>(type: "INTEGER", nullable: false),
                    citation = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    rule_version = table.Column<string>(type: "TEXT", nullable: false),
                    confidence = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    notes = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    status_reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    proof = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    rules_version = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incident_obligations", x => x.id);
                    table.ForeignKey(
                        name: "fk_incident_obligations_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_assessment_runs_incident_id_at",
                table: "assessment_runs",
                columns: new[] { "incident_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_incident_obligations_incident_id_key",
                table: "incident_obligations",
                columns: new[] { "incident_id", "key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_incident_obligations_status_due_by",
                table: "incident_obligations",
                columns: new[] { "status", "due_by" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "assessment_runs");

            migrationBuilder.DropTable(
                name: "incident_facts");

            migrationBuilder.DropTable(
                name: "incident_obligations");
        }
    }
}
