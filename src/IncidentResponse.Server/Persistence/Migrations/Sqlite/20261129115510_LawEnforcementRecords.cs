using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LawEnforcementRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "law_enforcement_contacts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    agency_id = table.Column<string>(type: "TEXT", maxLength: 80, nullable: true),
                    local_police_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    agency_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    person = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    channel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    contacted_at = table.Column<long>(type: "INTEGER", nullable: false),
                    case_number = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    shared = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    privileged = table.Column<bool>(type: "INTEGER", nullable: false),
                    recorded_by = table.Column<Guid>(type: "TEXT", nullable: false),
                    recorded_at = table.Column<long>(type: "INTEGER", nullable: false),
                    run_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    step_id = table.Column<string>(type: "TEXT", maxLength: 80, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_law_enforcement_contacts", x => x.id);
                    table.ForeignKey(
                        name: "fk_law_enforcement_contacts_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "local_police",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    jurisdiction = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    phone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    address = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    non_emergency = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    notes = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_local_police", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "law_enforcement_delays",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    agency_id = table.Column<string>(type: "TEXT", maxLength: 80, nullable: true),
                    local_police_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    agency_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    contact_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    form = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    requested_at = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    document_reference = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    lifted_at = table.Column<long>(type: "INTEGER", nullable: true),
                    lift_reason = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    recorded_by = table.Column<Guid>(type: "TEXT", nullable: false),
                    recorded_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_law_enforcement_delays", x => x.id);
                    table.ForeignKey(
                        name: "fk_law_enforcement_delays_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_law_enforcement_delays_law_enforcement_contacts_contact_id",
                        column: x => x.contact_id,
                        principalTable: "law_enforcement_contacts",
                        principalColumn: "id");
                });

            migrationBuilder.CreateTable(
                name: "delay_renewals",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    delay_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    form = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    requested_at = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    document_reference = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    recorded_by = table.Column<Guid>(type: "TEXT", nullable: false),
                    recorded_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_delay_renewals", x => x.id);
                    table.ForeignKey(
                        name: "fk_delay_renewals_law_enforcement_delays_delay_id",
                        column: x => x.delay_id,
                        principalTable: "law_enforcement_delays",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_delay_renewals_delay_id",
                table: "delay_renewals",
                column: "delay_id");

            migrationBuilder.CreateIndex(
                name: "ix_law_enforcement_contacts_incident_id_contacted_at",
                table: "law_enforcement_contacts",
                columns: new[] { "incident_id", "contacted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_law_enforcement_delays_contact_id",
                table: "law_enforcement_delays",
                column: "contact_id");

            migrationBuilder.CreateIndex(
                name: "ix_law_enforcement_delays_incident_id_requested_at",
                table: "law_enforcement_delays",
                columns: new[] { "incident_id", "requested_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "delay_renewals");

            migrationBuilder.DropTable(
                name: "local_police");

            migrationBuilder.DropTable(
                name: "law_enforcement_delays");

            migrationBuilder.DropTable(
                name: "law_enforcement_contacts");
        }
    }
}
